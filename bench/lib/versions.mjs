import { readFileSync } from 'node:fs';

/** The installed version of a bench dependency (read from bench/node_modules). */
export function pkgVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * `import.meta.url` for the CommonJS build (dist/index.cjs): tsup.config.ts defines
 * `import.meta.url` as this value there. pathToFileURL percent-encodes what a URL cannot hold
 * raw (`#`, `%`, `?`, spaces), so a package under a path like `/work/c#/x%20y/` still finds its
 * files; the `file:${__filename}` of tsup's own shim cut such paths at the `#`.
 */
import { pathToFileURL } from 'node:url';

export const importMetaUrl: string = pathToFileURL(__filename).href;

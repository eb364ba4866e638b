// Builds the fixture app (app/page.js) with one bundler into <bundler>/dist/, as a user would:
// each bundler's own config file, nothing else.   node build.mjs esbuild|vite|webpack|rollup
import { spawnSync } from 'node:child_process';
import { copyFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = new URL('./', import.meta.url);
const path = (p) => fileURLToPath(new URL(p, here));

const BUILDERS = {
  esbuild: async () => import('./esbuild/build.mjs'),
  vite: async () => {
    const { build } = await import('vite');
    await build({ configFile: path('vite/vite.config.mjs') });
  },
  webpack: async () => {
    const { default: webpack } = await import('webpack');
    const { default: config } = await import('./webpack/webpack.config.mjs');
    await rm(path('webpack/dist'), { recursive: true, force: true });
    const stats = await new Promise((resolve, reject) => webpack(config, (error, s) => (error ? reject(error) : resolve(s))));
    if (stats.hasErrors() || stats.hasWarnings()) throw new Error(stats.toString({ colors: false, modules: false, assets: false }));
    await copyFile(path('app/index.html'), path('webpack/dist/index.html'));
  },
  rollup: async () => {
    // The rollup CLI with the fixture's config, as a user runs it.
    await rm(path('rollup/dist'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, [path('../../node_modules/rollup/dist/bin/rollup'), '-c', path('rollup/rollup.config.mjs'), '--silent'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rollup failed (${r.status}):\n${r.stdout}${r.stderr}`);
    await copyFile(path('app/index.html'), path('rollup/dist/index.html'));
  },
};

const name = process.argv[2];
const builder = BUILDERS[name];
if (builder === undefined) throw new Error(`unknown bundler ${name} (known: ${Object.keys(BUILDERS).join(', ')})`);
await builder();

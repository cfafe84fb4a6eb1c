/**
 * `npm run build`, and `npm ci`'s prepare step: dist/ as the CLI and library users run it.
 *
 * - The code is bundled by esbuild: the CLI (`cli.js`, what bin/tracehound.js runs), the `--jobs` pool's worker
 *   thread (`worker.js`) and the library (`index.js`), as ES modules sharing chunks, with every package left as an
 *   import from node_modules. Unbundled, Node resolved, read and compiled some 330 modules one by one at every
 *   start, in the main thread and again in each worker thread: a check of the MVT test backup took 0.92–1.02 s,
 *   bundled 0.76–0.90 s (bench/README.md). Commands are still loaded when they run (dynamic imports become chunks).
 * - The types come from tsc (declarations only, which also type-checks): dist/index.d.ts and the files it names.
 *
 * Everything lands flat in dist/, so what a module finds relative to itself is where it is in the sources too:
 * `../package.json` (src/version.ts) and `./worker.js` (src/app/pool/pool.ts).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../dist', import.meta.url));

// A module left by an older layout would still be importable (and found by a stale check of dist/).
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--emitDeclarationOnly'], { cwd: root, stdio: 'inherit' });

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/entry.ts', worker: 'src/app/pool/worker.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Stack traces of internal errors map back to the sources under `node --enable-source-maps`.
  sourcemap: 'linked',
  sourcesContent: false,
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});

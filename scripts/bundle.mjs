#!/usr/bin/env node
/**
 * esbuild bundles, reproducible byte for byte (pinned esbuild, relative paths, no timestamps):
 *   node scripts/bundle.mjs action [outdir]  the GitHub Action, dist-action/index.js (committed)
 *   node scripts/bundle.mjs cli [outdir]     the installable CLI, dist/bundle/main.cjs, and the package
 *                                            bin dist/bundle/bin.cjs that runs it (scripts/bin.cjs)
 * Every runtime dependency is inside the bundle, so the packed CLI installs with the network off.
 */
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { build } from 'esbuild';

const TARGETS = {
  // One ES module: the runner runs `main` with node24 and nothing installed.
  action: {
    entryPoints: ['src/action/index.ts'],
    outdir: 'dist-action',
    format: 'esm',
    // CommonJS dependencies call require() for node built-ins: give the ES module one.
    banner: {
      js: "import { createRequire as __gpCreateRequire } from 'node:module';\nconst require = __gpCreateRequire(import.meta.url);",
    },
  },
  // One CommonJS script, run by the bin with V8's code cache (scripts/bin.cjs). Commands stay
  // lazily evaluated: esbuild wraps what is only imported dynamically in init functions, so
  // --help evaluates no octokit and no zod (tests/e2e/bundle.test.ts).
  cli: {
    entryPoints: { main: 'src/cli/main.ts' },
    outdir: 'dist/bundle',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    // src/version.ts finds package.json from its own URL.
    define: { 'import.meta.url': '__gpImportMetaUrl' },
    inject: ['scripts/cjs-import-meta.mjs'],
  },
};

const [which, outdir] = process.argv.slice(2);
const target = TARGETS[which];
if (!target) {
  process.stderr.write(`usage: node scripts/bundle.mjs ${Object.keys(TARGETS).join('|')} [outdir]\n`);
  process.exit(2);
}
const out = outdir ?? target.outdir;
// A fresh directory: chunks of an earlier build must not linger (and be packed or committed).
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: target.entryPoints,
  outdir: out,
  bundle: true,
  format: target.format,
  outExtension: target.outExtension,
  define: target.define,
  inject: target.inject,
  banner: target.banner,
  platform: 'node',
  target: 'node20',
  legalComments: 'linked',
  logLevel: 'warning',
  absWorkingDir: process.cwd(),
});
if (which === 'cli') {
  // main.cjs is run by the bin inside a function wrapper, where a #! line is a syntax error.
  const main = join(out, 'main.cjs');
  const code = readFileSync(main, 'utf8').replace(/^#!.*\n/, '');
  writeFileSync(main, code);
  chmodSync(main, 0o644);
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const bin = join(out, 'bin.cjs');
  writeFileSync(
    bin,
    `#!/usr/bin/env node\nconst BUILD = ${JSON.stringify({ version, id })};\n${readFileSync('scripts/bin.cjs', 'utf8')}`,
  );
  chmodSync(bin, 0o755);
}

#!/usr/bin/env node
/**
 * esbuild bundles, reproducible byte for byte (pinned esbuild, relative paths, no timestamps):
 *   node scripts/bundle.mjs action [outdir]  the GitHub Action, dist-action/index.js (committed)
 *   node scripts/bundle.mjs cli [outdir]     the installable CLI, dist/bundle/main.js, and the package
 *                                            bin dist/bundle/bin.cjs that starts it
 * Every runtime dependency is inside the bundle, so the packed CLI installs with the network off.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { build } from 'esbuild';

const TARGETS = {
  // One file: the runner runs `main` with node24 and nothing installed.
  action: { entryPoints: ['src/action/index.ts'], outdir: 'dist-action', splitting: false },
  // Split chunks: commands stay lazily loaded, so --version and --help import no octokit.
  cli: { entryPoints: ['src/cli/main.ts'], outdir: 'dist/bundle', splitting: true },
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
  splitting: target.splitting,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies call require() for node built-ins: give the ES module one. The banner
  // goes into every chunk, and createRequire costs a module-path walk: made on first call only.
  banner: {
    js: "import { createRequire as __gpCreateRequire } from 'node:module';\nlet __gpRequire;\nconst require = (id) => (__gpRequire ??= __gpCreateRequire(import.meta.url))(id);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
  absWorkingDir: process.cwd(),
});
if (which === 'cli') {
  chmodSync(join(out, 'main.js'), 0o755);
  // The bin answers `--version` itself: a CommonJS file that loads nothing starts about as fast
  // as `node -e 0`, while an ES module entry alone costs a fifth more (the ESM loader) and the CLI
  // loads commander. Everything else goes to the CLI, in the same process.
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const bin = join(out, 'bin.cjs');
  writeFileSync(
    bin,
    `#!/usr/bin/env node
// git-promote's bin, written by scripts/bundle.mjs: \`--version\` here, everything else in ./main.js.
'use strict';
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  try {
    require('node:fs').writeSync(1, ${JSON.stringify(`${version}
`)});
  } catch {
    // stdout closed early (| head -0): nothing to say
  }
} else {
  import('./main.js');
}
`,
  );
  chmodSync(bin, 0o755);
}

/**
 * README.md and docs/**.md with their generated blocks rendered afresh (src/cli/doc-blocks.ts) and
 * formatted by prettier as `npm run format` would, so a committed page equals what this returns
 * exactly when its blocks agree with the command definitions. Used by `npm run docs` and its test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { renderGeneratedBlocks } from '../src/cli/doc-blocks.js';
import { programForReference } from '../src/cli/program.js';

/** README.md and every markdown file under docs/, as paths from `root` with `/`. */
export function docFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir))
      .sort()
      .flatMap((name) => {
        const path = `${dir}/${name}`;
        if (statSync(join(root, path)).isDirectory()) return walk(path);
        return name.endsWith('.md') ? [path] : [];
      });
  return ['README.md', ...walk('docs')];
}

/** What `file` (from `root`, with `/`) should hold: its text with fresh generated blocks, formatted. */
export async function regenerated(root: string, file: string, text?: string): Promise<string> {
  const path = join(root, ...file.split('/'));
  const source = text ?? readFileSync(path, 'utf8');
  const rendered = renderGeneratedBlocks(source, file, programForReference());
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(rendered, { ...options, filepath: path });
}

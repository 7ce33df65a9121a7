/**
 * docs/architecture.md, "Layers", held by the code: no import cycle anywhere under src/, and no
 * import pointing up the layers. The graph helpers are tested on small graphs first, so a test
 * that cannot fail is caught too.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findCycles,
  importSpecifiers,
  layerViolations,
  readImportGraph,
  type ImportGraph,
  type LayerRules,
} from '../helpers/import-graph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The table of docs/architecture.md: which layers each layer may import (its own always);
 * "root" is src/version.ts.
 */
const RULES: LayerRules = {
  core: [],
  adapters: ['core', 'root'],
  // The agent receives the commands' Context and reuses verify's reading of manifests.
  agent: ['adapters', 'core', 'commands', 'root'],
  commands: ['agent', 'adapters', 'core', 'sandbox', 'root'],
  // The sandbox runs the CLI in-process through Context.runCli, which src/cli gives it.
  sandbox: ['commands', 'adapters', 'core', 'root'],
  cli: ['commands', 'agent', 'adapters', 'core', 'root'],
  action: ['cli', 'commands', 'adapters', 'core', 'root'],
  root: [],
};

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('the graph helpers', () => {
  it('read static, type-only, re-exported and dynamic imports, and nothing in comments or strings', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "import 'node:fs';",
      "import { z } from 'zod';",
      "// import { f } from './f.js';",
      'const text = "import { g } from \'./g.js\'";',
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  });

  it('find a cycle and name it, through any number of files', () => {
    const graph = graphOf({
      'src/a/x.ts': ['src/a/y.ts'],
      'src/a/y.ts': ['src/b/z.ts'],
      'src/b/z.ts': ['src/a/x.ts', 'src/b/leaf.ts'],
      'src/b/leaf.ts': [],
      'src/b/self.ts': ['src/b/self.ts'],
    });
    expect(findCycles(graph)).toEqual([
      ['src/a/x.ts', 'src/a/y.ts', 'src/b/z.ts', 'src/a/x.ts'],
      ['src/b/self.ts', 'src/b/self.ts'],
    ]);
  });

  it('find none in a graph without one, diamonds included', () => {
    const graph = graphOf({
      'src/a.ts': ['src/b.ts', 'src/c.ts'],
      'src/b.ts': ['src/d.ts'],
      'src/c.ts': ['src/d.ts'],
      'src/d.ts': [],
    });
    expect(findCycles(graph)).toEqual([]);
  });

  it('report an import up the layers and a layer nobody ruled on', () => {
    const graph = graphOf({
      'src/core/a.ts': ['src/core/b.ts', 'src/adapters/git.ts'],
      'src/core/b.ts': [],
      'src/adapters/git.ts': ['src/core/b.ts'],
      'src/commands/c.ts': ['src/cli/program.ts', 'src/adapters/git.ts'],
      'src/cli/program.ts': [],
      'src/plugins/p.ts': [],
    });
    expect(layerViolations(graph, RULES)).toEqual([
      'src/commands/c.ts → src/cli/program.ts (commands → cli)',
      'src/core/a.ts → src/adapters/git.ts (core → adapters)',
      'src/plugins/p.ts: layer "plugins" is not in the rules',
    ]);
  });
});

describe('src/', () => {
  const { graph, unresolved } = readImportGraph(ROOT);

  it('is read whole: every layer present, every relative import resolved', () => {
    const layers = new Set([...graph.keys()].map((f) => f.split('/')[1]));
    for (const layer of ['core', 'adapters', 'agent', 'commands', 'cli', 'sandbox', 'action'])
      expect(layers).toContain(layer);
    expect(graph.size).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(findCycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('has no import pointing up the layers', () => {
    expect(layerViolations(graph, RULES)).toEqual([]);
  });
});

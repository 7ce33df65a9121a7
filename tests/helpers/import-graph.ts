/**
 * The import graph of src/ and the two rules docs/architecture.md states about it: no cycles, and
 * no import pointing up the layers. Parsing is TypeScript's own pre-processor, so static imports,
 * `import type`, `export … from` and dynamic `import()` all count, and text in comments or strings
 * does not.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** File → the files it imports, all as paths relative to the project root with `/`. */
export type ImportGraph = Map<string, string[]>;

/** The relative module specifiers of one source text, in order. */
export function importSpecifiers(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith('.'));
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const posix = (p: string) => p.split(sep).join('/');

/**
 * The graph of every .ts file under `root/dir`. A relative import that names no file is
 * returned in `unresolved` ("from → specifier").
 */
export function readImportGraph(root: string, dir = 'src'): { graph: ImportGraph; unresolved: string[] } {
  const graph: ImportGraph = new Map();
  const unresolved: string[] = [];
  for (const file of tsFiles(join(root, dir))) {
    const from = posix(relative(root, file));
    const deps: string[] = [];
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (existsSync(target)) deps.push(posix(relative(root, target)));
      else if (!existsSync(resolve(dirname(file), spec))) unresolved.push(`${from} → ${spec}`);
    }
    graph.set(from, deps);
  }
  return { graph, unresolved };
}

/**
 * Every cycle of the graph, one per strongly connected component (Tarjan), each as the path
 * that walks it: [a, b, c, a]. Sorted, so a failure reads the same on every run.
 */
export function findCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((c) => cycleThrough(graph, new Set(c))).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A closed walk inside one component, from its first file back to it (breadth-first: shortest). */
function cycleThrough(graph: ImportGraph, component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The layer of a file: the directory under src/ ("core", "adapters", …), or "root" for src/x.ts. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : 'root';
}

/** Which layers each layer may import (docs/architecture.md, "Layers"). */
export type LayerRules = Record<string, readonly string[]>;

/**
 * Imports that break the rules, as "from → to (layer → layer)"; a file in a layer the rules do
 * not name is reported too, so a new layer cannot slip in unruled.
 */
export function layerViolations(graph: ImportGraph, rules: LayerRules): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) {
    const layer = layerOf(from);
    const allowed = rules[layer];
    if (!allowed) {
      out.push(`${from}: layer "${layer}" is not in the rules`);
      continue;
    }
    for (const to of deps) {
      const target = layerOf(to);
      if (target !== layer && !allowed.includes(target)) out.push(`${from} → ${to} (${layer} → ${target})`);
    }
  }
  return out.sort();
}

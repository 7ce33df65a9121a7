/**
 * What a CommonJS esbuild bundle evaluates, read from its text. esbuild puts the body of every
 * module that is imported lazily somewhere into an init function:
 *
 *   var init_apply = __esm({            var require_semver = __commonJS({
 *     "src/commands/apply.ts"() {         "node_modules/semver/index.js"(exports, module) {
 *       init_session();                     …
 *       …
 *
 * A static import is a statement of its own in the importer's body (`init_x();`, `var import_x =
 * __toESM(require_x());`); a dynamic `import()` is an expression inside a function
 * (`Promise.resolve().then(() => (init_x(), x_exports))`) and does not count. Code outside every
 * init function runs when the bundle starts.
 */

interface Block {
  path: string;
  body: string;
}

const BLOCK =
  /^var ((?:init|require)_\w+) = __(?:esm|commonJS)\(\{\n {2}"([^"]+)"\([^)]*\) \{\n([\s\S]*?)\n {2}\}\n\}\);$/gm;
const STATIC_INIT = /^\s*init_\w+\(\);$/gm;
const STATIC_REQUIRE = /^\s*(?:var \w+ = )?(?:__toESM\()?(require_\w+)\(\)\)?;$/gm;

/** Init function name → module path and body, and the text left outside them (the start). */
function blocks(text: string): { byName: Map<string, Block>; start: string } {
  const byName = new Map<string, Block>();
  for (const m of text.matchAll(BLOCK)) byName.set(m[1]!, { path: m[2]!, body: m[3]! });
  return { byName, start: text.replace(BLOCK, '') };
}

function staticCalls(body: string): string[] {
  return [
    ...[...body.matchAll(STATIC_INIT)].map((m) => m[0].trim().replace('();', '')),
    ...[...body.matchAll(STATIC_REQUIRE)].map((m) => m[1]!),
  ];
}

/** The module paths evaluated by the code `from`: its static calls, transitively. */
function closure(byName: Map<string, Block>, from: string): Set<string> {
  const seen = new Set<string>();
  const paths = new Set<string>();
  const queue = staticCalls(from);
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const block = byName.get(name);
    if (!block) continue;
    paths.add(block.path);
    queue.push(...staticCalls(block.body));
  }
  return paths;
}

/** What starting the bundle evaluates (lazy modules only: eager ones have no init function). */
export function evaluatedAtStart(text: string): Set<string> {
  const { byName, start } = blocks(text);
  return closure(byName, start);
}

/** What evaluating the lazily imported module `path` evaluates, itself included. */
export function evaluatedWith(text: string, path: string): Set<string> {
  const { byName } = blocks(text);
  const entry = [...byName].find(([, b]) => b.path === path);
  if (!entry) throw new Error(`${path} is not lazily imported in this bundle`);
  return closure(byName, `${entry[0]}();`);
}

/** Every module path the bundle holds, from esbuild's `// path` comments. */
export function bundledModules(text: string): Set<string> {
  return new Set([...text.matchAll(/^\/\/ ((?:node_modules|src)\/\S+)$/gm)].map((m) => m[1]!));
}

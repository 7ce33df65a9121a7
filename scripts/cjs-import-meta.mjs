// Injected into the CommonJS CLI bundle by scripts/bundle.mjs: `import.meta.url` (src/version.ts
// finds package.json from it) as a CommonJS script knows its own location.
export const __gpImportMetaUrl = require('node:url').pathToFileURL(__filename).href;

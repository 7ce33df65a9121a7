/** The installed bin: the bundled CLI (dist/bundle/main.js), next to dist/bench/ once built. */
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../bundle/main.js', import.meta.url));

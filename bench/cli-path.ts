/** The installed bin (dist/bundle/bin.cjs, which runs the bundled CLI), next to dist/bench/ once built. */
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../bundle/bin.cjs', import.meta.url));

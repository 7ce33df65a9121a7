/** The Action's entry point, bundled into dist-action/index.js (action.yml `runs.main`). */
import { run } from './main.js';

await run();

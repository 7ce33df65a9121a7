/** Write schema/promote.config.schema.json from the zod config schema (kept in sync by a test). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText } from '../src/core/config-json-schema.js';
import { packageRoot } from '../src/version.js';

writeFileSync(join(packageRoot(), 'schema', 'promote.config.schema.json'), configJsonSchemaText());

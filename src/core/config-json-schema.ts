import * as z from 'zod/v4';
import { configSchema } from './schemas.js';
import { closeObjects } from './unknown-keys.js';

/** The JSON Schema of promote.config.json, as shipped in schema/ for editors: every object is closed. */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: closeObjects,
  });
  return `${JSON.stringify({ ...schema, title: 'git-promote configuration (promote.config.json)' }, null, 2)}\n`;
}

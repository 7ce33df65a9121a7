/** Fill `{name}` placeholders; unknown placeholders are left as they are. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => (key in values ? values[key]! : whole));
}

export function fillArgs(args: readonly string[], values: Record<string, string>): string[] {
  return args.map((a) => fillTemplate(a, values));
}

/** Fill `{game_date}`, `{commit}`, `{pointers}` in every string of a parameters object. */
export function fillParameters(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return fillTemplate(value, values);
  if (Array.isArray(value)) return value.map((v) => fillParameters(v, values));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillParameters(v, values)]));
  return value;
}

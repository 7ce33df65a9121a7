/** Fill `{name}` placeholders; unknown placeholders are left as they are. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => (key in values ? values[key]! : whole));
}

export function fillArgs(args: readonly string[], values: Record<string, string>): string[] {
  return args.map((a) => fillTemplate(a, values));
}

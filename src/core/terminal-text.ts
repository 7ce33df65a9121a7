/**
 * Text from git, GitHub, Prefect or a child process can carry escape sequences (a commit author
 * named "\x1b]0;pwned\x07") that a terminal would act on. Everything printed goes through here:
 * control characters other than newline and tab become visible \u escapes.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Neutralise control characters for a terminal; newlines and tabs are kept. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, escape);
}

/**
 * JSON text whose strings cannot steer a terminal either: JSON.stringify escapes U+0000-U+001F
 * but leaves DEL and the C1 controls (U+0080-U+009F, e.g. the one-byte CSI) raw.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029]/g, escape);
}

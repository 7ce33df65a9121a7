/**
 * GitHub Actions workflow commands and job-summary Markdown, built so that text a pull request
 * controls (file names, JSON keys and values in evidence) can never start a command of its own.
 */

/** Escape a workflow-command message, as @actions/core does. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a workflow-command property (file=, title=), as @actions/core does. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

interface AnnotationProps {
  file?: string;
  title?: string;
  line?: number;
}

/** An annotation before it is written: by `annotation` below in the CLI, by @actions/core in the Action. */
export interface Annotation {
  kind: 'error' | 'warning' | 'notice';
  props: AnnotationProps;
  message: string;
}

/** One `::error file=…,title=…::message` line (with its newline). */
export function annotation(
  kind: 'error' | 'warning' | 'notice',
  props: AnnotationProps,
  message: string,
): string {
  const parts: string[] = [];
  if (props.file !== undefined) parts.push(`file=${escapeProperty(props.file)}`);
  if (props.line !== undefined) parts.push(`line=${props.line}`);
  if (props.title !== undefined) parts.push(`title=${escapeProperty(props.title)}`);
  return `::${kind}${parts.length ? ` ${parts.join(',')}` : ''}::${escapeData(message)}\n`;
}

/**
 * Make untrusted text safe on one output line: control characters (newlines above all, which would
 * let a later line start with `::`) and Unicode line separators become \u escapes.
 */
export function oneLine(value: string): string {
  return value.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Escape untrusted text for a Markdown table cell (no HTML, no links, no emphasis, no pipes). */
export function markdownCell(value: string): string {
  return oneLine(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1');
}

/** A problem found in an input file, located for a human (file:line:column) and for a tool (path). */
export interface Problem {
  file: string;
  /** 1-based; 0 when the problem concerns the whole file or is not in a file. */
  line: number;
  column: number;
  /** The field, as a dotted path (`artifacts[0].sha256`), or '' for the whole file. */
  path: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/**
 * Control characters (escape sequences, carriage returns, NULs) from untrusted input shown as
 * \u escapes, so a problem quoting a hostile file cannot drive the terminal.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const control = (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}

/** `file:line:column  field  message`: the format editors and CI logs link to. */
export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return printable(`${where}  ${problem.path || '-'}  ${problem.message}`);
}

/** A GitHub Actions workflow command that shows the problem as an annotation on the file. */
export function formatAnnotation(problem: Problem, level: 'error' | 'notice' = 'error'): string {
  const escapeProperty = (value: string) =>
    value
      .replace(/%/g, '%25')
      .replace(/\r/g, '%0D')
      .replace(/\n/g, '%0A')
      .replace(/:/g, '%3A')
      .replace(/,/g, '%2C');
  const escapeData = (value: string) =>
    value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const props = [`file=${escapeProperty(problem.file)}`];
  if (problem.line > 0) props.push(`line=${problem.line}`, `col=${problem.column}`);
  const field = problem.path ? `${problem.path}: ` : '';
  return `::${level} ${props.join(',')}::${escapeData(field + problem.message)}`;
}

export function compareProblems(a: Problem, b: Problem): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.message.localeCompare(b.message)
  );
}

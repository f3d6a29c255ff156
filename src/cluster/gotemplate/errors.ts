// Template errors carry Go's message text plus a machine-readable position.

export type TemplateErrorKind = 'syntax' | 'exec';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    /** Go-like text, e.g. `template: x.yaml:3: unexpected EOF`. */
    message: string,
    /** The template file name given to parse/render. */
    readonly file: string,
    /** 1-based line. */
    readonly line: number,
    /**
     * 1-based column (in characters) of the offending token or node. Go's exec messages print a
     * 0-based byte offset instead (`x.yaml:2:3`); the message keeps Go's number.
     */
    readonly column: number,
    readonly kind: TemplateErrorKind,
  ) {
    super(message);
  }
}

/** Line, 1-based character column and Go's 0-based byte column of an offset in a source text. */
export function positionOf(source: string, pos: number): { line: number; column: number; byteColumn: number } {
  const before = source.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const lineText = before.slice(nl + 1);
  let line = 1;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  return { line, column: [...lineText].length + 1, byteColumn: Buffer.byteLength(lineText, 'utf8') };
}

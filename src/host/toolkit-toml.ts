/**
 * /etc/nvidia-container-runtime/config.toml: a line-based editor that sets one key and keeps every
 * other line — settings, comments (nvidia-ctk writes its defaults as `#key = value` comments), blank
 * lines, order and line endings — byte for byte. TOML libraries drop comments, so this is by hand.
 *
 * Supported: bare and quoted keys, top-level keys and keys of a `[table]`, a value on one line with
 * an optional trailing comment. That is every key kindling sets (booleans).
 */

export const TOOLKIT_CONFIG_PATH = '/etc/nvidia-container-runtime/config.toml';
export const VOLUME_MOUNTS_KEY = 'accept-nvidia-visible-devices-as-volume-mounts';

export interface TomlTarget {
  /** Table name (`nvidia-container-cli`), or undefined for a top-level key. */
  table?: string;
  key: string;
}

interface Line {
  text: string;
}

const HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function keyPattern(key: string): string {
  const k = escapeRe(key);
  return `(?:${k}|"${k}"|'${k}')`;
}

function normaliseTable(name: string): string {
  return name
    .split('.')
    .map((p) => p.trim().replace(/^["']|["']$/g, ''))
    .join('.');
}

/** Index range [start, end) of the lines of a table (or the top level) — end is the next header. */
function tableRange(lines: Line[], table: string | undefined): { start: number; end: number } | undefined {
  if (table === undefined) {
    const end = lines.findIndex((l) => HEADER.test(l.text));
    return { start: 0, end: end < 0 ? lines.length : end };
  }
  for (let i = 0; i < lines.length; i++) {
    const m = HEADER.exec(lines[i]?.text ?? '');
    if (m && !/^\s*\[\[/.test(lines[i]?.text ?? '') && normaliseTable(m[1] ?? '') === table) {
      let end = lines.findIndex((l, j) => j > i && HEADER.test(l.text));
      if (end < 0) end = lines.length;
      return { start: i + 1, end };
    }
  }
  return undefined;
}

function split(text: string): { lines: Line[]; eol: string; finalNewline: boolean } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = text === '' || text.endsWith('\n');
  const body = finalNewline ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  const lines = body === '' ? [] : body.split(eol).map((t) => ({ text: t }));
  return { lines, eol, finalNewline };
}

function join(lines: Line[], eol: string, finalNewline: boolean): string {
  const body = lines.map((l) => l.text).join(eol);
  return lines.length === 0 ? '' : finalNewline ? `${body}${eol}` : body;
}

/** The raw TOML value of an active (uncommented) key, or undefined when it is not set. */
export function readTomlValue(text: string | undefined, target: TomlTarget): string | undefined {
  if (text === undefined) return undefined;
  const { lines } = split(text);
  const range = tableRange(lines, target.table);
  if (!range) return undefined;
  const re = new RegExp(`^\\s*${keyPattern(target.key)}\\s*=\\s*(.*?)(\\s*#.*)?$`);
  for (let i = range.start; i < range.end; i++) {
    const m = re.exec(lines[i]?.text ?? '');
    if (m) return stripValueComment(`${m[1] ?? ''}${m[2] ?? ''}`.trim());
  }
  return undefined;
}

/** A value like `"a # b"` keeps its `#`; a bare value ends at the first `#`. */
function stripValueComment(v: string): string {
  if (v.startsWith('"') || v.startsWith("'")) {
    const q = v[0] ?? '"';
    const close = v.indexOf(q, 1);
    return close > 0 ? v.slice(0, close + 1) : v;
  }
  return v.split('#')[0]?.trim() ?? v;
}

/**
 * Sets `target` to `value` (a TOML literal: `true`, `"text"`, `["a"]`). Returns the new text, or
 * undefined when the key already has that value. Where the key is only present as nvidia-ctk's
 * commented default (`#key = false`), the active line is added right after that comment; otherwise
 * at the end of the table's (or the top level's) settings. A missing table is appended.
 */
export function setTomlValue(text: string | undefined, target: TomlTarget, value: string): string | undefined {
  const current = readTomlValue(text, target);
  if (current === value) return undefined;
  const { lines, eol, finalNewline } = split(text ?? '');
  const range = tableRange(lines, target.table);
  const setting = `${target.key} = ${value}`;
  if (!range) {
    // The table does not exist: append it.
    const out = [...lines];
    if (out.length > 0 && (out[out.length - 1]?.text ?? '') !== '') out.push({ text: '' });
    out.push({ text: `[${target.table}]` }, { text: setting });
    return join(out, eol, finalNewline);
  }
  const active = new RegExp(`^(\\s*${keyPattern(target.key)}\\s*=\\s*)(.*?)(\\s*#.*)?$`);
  for (let i = range.start; i < range.end; i++) {
    const line = lines[i];
    if (!line) continue;
    const m = active.exec(line.text);
    if (m) {
      const rawValue = m[2] ?? '';
      const trailing = m[3] ?? '';
      // A quoted value may itself contain '#': keep what follows the closing quote as the comment.
      const valuePart = stripValueComment(`${rawValue}${trailing}`);
      const rest = `${rawValue}${trailing}`.slice(valuePart.length);
      line.text = `${m[1] ?? ''}${value}${rest}`;
      return join(lines, eol, finalNewline);
    }
  }
  const commented = new RegExp(`^\\s*#\\s*${keyPattern(target.key)}\\s*=`);
  for (let i = range.start; i < range.end; i++) {
    if (commented.test(lines[i]?.text ?? '')) {
      lines.splice(i + 1, 0, { text: setting });
      return join(lines, eol, finalNewline);
    }
  }
  // After the last non-blank line of the range (keeps the blank line before the next header).
  let at = range.end;
  while (at > range.start && (lines[at - 1]?.text.trim() ?? '') === '') at--;
  lines.splice(at, 0, { text: setting });
  return join(lines, eol, finalNewline);
}

/** config.toml with `accept-nvidia-visible-devices-as-volume-mounts = true`, or undefined when already so. */
export function enableVolumeMounts(text: string | undefined): string | undefined {
  return setTomlValue(text, { key: VOLUME_MOUNTS_KEY }, 'true');
}

export function volumeMountsEnabled(text: string | undefined): boolean {
  return readTomlValue(text, { key: VOLUME_MOUNTS_KEY }) === 'true';
}

/**
 * Label and field selectors as the API server reads them.
 * Labels: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-separated (AND).
 * Fields: `path=value`, `path==value`, `path!=value` over any dotted path
 * (`metadata.name`, `metadata.namespace`, `spec.nodeName`, `involvedObject.name`, `status.phase` …).
 */

export type Obj = Record<string, unknown>;

type LabelTerm =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] };

export class SelectorError extends Error {}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function parseLabelSelector(text: string | null | undefined): LabelTerm[] {
  if (!text) return [];
  return splitTopLevel(text).map((term) => {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (m) return { op: m[2] as 'in' | 'notin', key: m[1] as string, values: (m[3] as string).split(',').map((v) => v.trim()) };
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return { op: m[2] === '!=' ? 'ne' : 'eq', key: m[1] as string, value: m[3] as string };
    m = /^!\s*(\S+)$/.exec(term);
    if (m) return { op: 'notexists', key: m[1] as string };
    if (/^[A-Za-z0-9_./-]+$/.test(term)) return { op: 'exists', key: term };
    throw new SelectorError(`unable to parse requirement: ${term}`);
  });
}

export function matchesLabels(labels: Record<string, string> | undefined, terms: LabelTerm[]): boolean {
  const l = labels ?? {};
  return terms.every((t) => {
    const has = Object.prototype.hasOwnProperty.call(l, t.key);
    const v = l[t.key];
    switch (t.op) {
      case 'eq':
        return has && v === t.value;
      case 'ne':
        return !has || v !== t.value;
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && t.values.includes(v as string);
      case 'notin':
        return !has || !t.values.includes(v as string);
    }
  });
}

type FieldTerm = { path: string[]; op: 'eq' | 'ne'; value: string };

export function parseFieldSelector(text: string | null | undefined): FieldTerm[] {
  if (!text) return [];
  return splitTopLevel(text).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid field selector: ${term}`);
    return { path: (m[1] as string).trim().split('.'), op: m[2] === '!=' ? 'ne' : 'eq', value: (m[3] as string).trim() };
  });
}

export function fieldValue(obj: Obj, path: string[]): string {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Obj)[p];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

export function matchesFields(obj: Obj, terms: FieldTerm[]): boolean {
  return terms.every((t) => (fieldValue(obj, t.path) === t.value) === (t.op === 'eq'));
}

// Masterminds/semver v3 as sprig uses it: semverCompare (constraints with ranges, ~, ^, x
// wildcards, || and comma/space conjunctions; prereleases only match constraints that have one)
// and semver (a *semver.Version object with its common methods).

import { GoInt, GoObject, type FuncDef, type GoValue } from '../value.js';
import { def, fail } from './util.js';

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  metadata: string;
  original: string;
}

const VERSION_RE = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

function newVersion(v: string): Version {
  const m = VERSION_RE.exec(v);
  if (!m) fail('Invalid Semantic Version');
  const seg = (s: string | undefined): bigint => {
    if (!s) return 0n;
    const b = BigInt(s.replace(/^\./, ''));
    if (b >= 1n << 64n) fail('Error parsing version segment: strconv.ParseUint: parsing "' + s.replace(/^\./, '') + '": value out of range');
    return b;
  };
  const pre = m![5] ?? '';
  const metadata = m![8] ?? '';
  for (const p of pre ? pre.split('.') : []) if (/^\d+$/.test(p) && p.length > 1 && p[0] === '0') fail('Version segment starts with 0');
  return { major: seg(m![1]), minor: seg(m![2]), patch: seg(m![3]), pre, metadata, original: v };
}

const versionString = (v: Version): string =>
  `${v.major}.${v.minor}.${v.patch}${v.pre ? '-' + v.pre : ''}${v.metadata ? '+' + v.metadata : ''}`;

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return o !== '' ? -1 : 1;
  if (o === '') return s !== '' ? 1 : -1;
  const sNum = /^\d+$/.test(s);
  const oNum = /^\d+$/.test(o);
  if (!sNum && !oNum) return s > o ? 1 : -1;
  if (!oNum) return -1;
  if (!sNum) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split('.');
  const op = o.split('.');
  for (let i = 0; i < Math.max(sp.length, op.length); i++) {
    const d = comparePrePart(sp[i] ?? '', op[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareVersions(v: Version, o: Version): number {
  const d = cmp(v.major, o.major) || cmp(v.minor, o.minor) || cmp(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === '' && o.pre === '') return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  return comparePrerelease(v.pre, o.pre);
}

// ---- constraints ---------------------------------------------------------------------------------

interface Constraint {
  con: Version;
  orig: string;
  op: string;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const CV = 'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
const CONSTRAINT_RE = new RegExp(`^\\s*(${OPS})\\s*(${CV})\\s*$`);
const RANGE_RE = new RegExp(`\\s*(${CV})\\s+-\\s+(${CV})\\s*`, 'g');
const FIND_RE = new RegExp(`(${OPS})\\s*(${CV})`, 'g');
const VALID_RE = new RegExp(`^(\\s*(${OPS})\\s*(${CV})\\s*)((?:\\s+|,\\s*)(${OPS})\\s*(${CV})\\s*)*$`);

const isX = (s: string | undefined): boolean => s === 'x' || s === 'X' || s === '*';

function parseConstraint(c: string): Constraint {
  const m = CONSTRAINT_RE.exec(c);
  if (!m) fail(`improper constraint: ${c}`);
  const [, op, orig, major, minor = '', patch = '', pre = ''] = m! as unknown as string[];
  let ver = orig!;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  const preSuffix = m![6] ? '-' + m![7] : '';
  void pre;
  if (isX(major) || major === '') {
    ver = `0.0.0${preSuffix}`;
    dirty = true;
  } else if (isX(minor.replace(/^\./, '')) || minor === '') {
    minorDirty = dirty = true;
    ver = `${major}.0.0${preSuffix}`;
  } else if (isX(patch.replace(/^\./, '')) || patch === '') {
    patchDirty = dirty = true;
    ver = `${major}${minor}.0${preSuffix}`;
  }
  let con: Version;
  try {
    con = newVersion(ver);
  } catch {
    return fail('constraint Parser Error');
  }
  return { con, orig: orig!, op: op!, dirty, minorDirty, patchDirty };
}

function check(v: Version, c: Constraint): boolean {
  const preBlocked = v.pre !== '' && c.con.pre === '';
  const C = c.con;
  const lessThan = compareVersions(v, C) < 0;
  const tilde = (): boolean => {
    if (preBlocked || lessThan) return false;
    if (C.major === 0n && C.minor === 0n && C.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
    if (v.major !== C.major) return false;
    if (v.minor !== C.minor && !c.minorDirty) return false;
    return true;
  };
  switch (c.op) {
    case '':
    case '=':
      if (preBlocked) return false;
      return c.dirty ? tilde() : compareVersions(v, C) === 0;
    case '!=':
      if (c.dirty) {
        if (preBlocked) return false;
        if (C.major !== v.major) return true;
        if (C.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (C.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== '' || C.pre !== '') return comparePrerelease(v.pre, C.pre) !== 0;
          return false;
        }
      }
      return compareVersions(v, C) !== 0;
    case '>':
      if (preBlocked) return false;
      if (!c.dirty) return compareVersions(v, C) === 1;
      if (v.major > C.major) return true;
      if (v.major < C.major || c.minorDirty) return false;
      if (c.patchDirty) return v.minor > C.minor;
      return compareVersions(v, C) === 1;
    case '<':
      return !preBlocked && lessThan;
    case '>=':
    case '=>':
      return !preBlocked && !lessThan;
    case '<=':
    case '=<':
      if (preBlocked) return false;
      if (!c.dirty) return compareVersions(v, C) <= 0;
      if (v.major > C.major) return false;
      if (v.major === C.major && v.minor > C.minor && !c.minorDirty) return false;
      return true;
    case '~':
    case '~>':
      return tilde();
    case '^':
      if (preBlocked || lessThan) return false;
      if (C.major > 0n || c.minorDirty) return v.major === C.major;
      if (C.major === 0n && v.major > 0n) return false;
      if (C.minor > 0n || c.patchDirty) return v.minor === C.minor;
      if (C.minor === 0n && v.minor > 0n) return false;
      return C.patch === v.patch;
  }
  return false;
}

function newConstraint(c: string): Constraint[][] {
  const rewritten = c.replace(RANGE_RE, (_all, a: string, ...rest: unknown[]) => `>= ${a}, <= ${rest[9] as string}`);
  return rewritten.split('||').map((part) => {
    if (!VALID_RE.test(part)) fail(`improper constraint: ${part}`);
    const found = part.match(FIND_RE) ?? [part];
    return found.map(parseConstraint);
  });
}

export function semverCompare(constraint: string, version: string): boolean {
  const cs = newConstraint(constraint);
  const v = newVersion(version);
  return cs.some((and) => and.every((c) => check(v, c)));
}

function versionObject(v: Version): GoObject {
  const o = makeVersionObject(v);
  VERSIONS.set(o, v);
  return o;
}

function makeVersionObject(v: Version): GoObject {
  const u64 = (x: bigint): GoInt => new GoInt(x, 'uint64');
  const method = (fn: () => GoValue): FuncDef => ({ params: [], fn });
  return new GoObject(
    '*semver.Version',
    {
      Major: method(() => u64(v.major)),
      Minor: method(() => u64(v.minor)),
      Patch: method(() => u64(v.patch)),
      Prerelease: method(() => v.pre),
      Metadata: method(() => v.metadata),
      Original: method(() => v.original),
      String: method(() => versionString(v)),
      IncMajor: method(() => versionObject({ ...v, major: v.major + 1n, minor: 0n, patch: 0n, pre: '', metadata: '', original: `${v.major + 1n}.0.0` })),
      IncMinor: method(() => versionObject({ ...v, minor: v.minor + 1n, patch: 0n, pre: '', metadata: '', original: `${v.major}.${v.minor + 1n}.0` })),
      IncPatch: method(() => versionObject({ ...v, patch: v.pre ? v.patch : v.patch + 1n, pre: '', metadata: '', original: `${v.major}.${v.minor}.${v.pre ? v.patch : v.patch + 1n}` })),
      LessThan: def(['any'], (o) => compareVersions(v, versionOf(o)) < 0),
      GreaterThan: def(['any'], (o) => compareVersions(v, versionOf(o)) > 0),
      Equal: def(['any'], (o) => compareVersions(v, versionOf(o)) === 0),
      Compare: def(['any'], (o) => new GoInt(compareVersions(v, versionOf(o)))),
    },
    () => versionString(v),
    () => versionString(v),
  );
}

const VERSIONS = new WeakMap<GoObject, Version>();
function versionOf(o: GoValue): Version {
  const v = o instanceof GoObject ? VERSIONS.get(o) : undefined;
  if (!v) fail(`wrong type for value; expected *semver.Version`);
  return v!;
}

export const semverFuncs: Record<string, FuncDef> = {
  semverCompare: def(['string', 'string'], (c, v) => semverCompare(c as string, v as string)),
  semver: def(['string'], (s) => versionObject(newVersion(s as string))),
};

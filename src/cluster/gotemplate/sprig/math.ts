// sprig's arithmetic (numeric.go and the inline add/sub/... entries). Integer functions run every
// argument through cast.ToInt64 and return int64; the *f functions go through shopspring/decimal,
// so `addf 0.1 0.2` is 0.3, not 0.30000000000000004.

import { sprint } from '../fmt.js';
import { parseGoInt } from '../strconv.js';
import { type FuncDef, GoInt, type GoValue, wrapInt } from '../value.js';
import { def, fail, float, int, int64, toFloat64, toInt64 } from './util.js';

const i64 = (v: bigint): GoInt => int64(wrapInt(v, 'int64'));

function div(a: bigint, b: bigint): bigint {
  if (b === 0n) fail('runtime error: integer divide by zero');
  return a / b; // BigInt division truncates toward zero, like Go
}
function mod(a: bigint, b: bigint): bigint {
  if (b === 0n) fail('runtime error: integer divide by zero');
  return a % b;
}

// ---- decimal arithmetic (shopspring/decimal as sprig uses it) -----------------------------------

interface Dec {
  c: bigint; // coefficient
  e: number; // exponent: value = c × 10^e
}

function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) fail(`Cannot create a Decimal from ${sprint([float(f)])}`);
  if (f === 0) return { c: 0n, e: 0 };
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(f.toExponential())!;
  const digits = m[2]! + (m[3] ?? '');
  return { c: BigInt(m[1] + digits), e: Number(m[4]) - (digits.length - 1) };
}

const align = (a: Dec, b: Dec): [bigint, bigint, number] => {
  const e = Math.min(a.e, b.e);
  return [a.c * 10n ** BigInt(a.e - e), b.c * 10n ** BigInt(b.e - e), e];
};

function decToFloat(d: Dec): number {
  return Number(`${d.c}e${d.e}`);
}

/** DivRound(d2, 16): the quotient rounded half away from zero to 16 decimal places. */
function decDiv(a: Dec, b: Dec): Dec {
  if (b.c === 0n) fail('decimal division by 0');
  const prec = 16;
  // a/b × 10^prec = (a.c × 10^(a.e - b.e + prec)) / b.c
  const shift = a.e - b.e + prec;
  let num = a.c;
  let den = b.c;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const neg = num < 0n !== den < 0n;
  const an = num < 0n ? -num : num;
  const ad = den < 0n ? -den : den;
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q += 1n;
  return { c: neg ? -q : q, e: -prec };
}

type DecOp = (a: Dec, b: Dec) => Dec;
const decAdd: DecOp = (a, b) => {
  const [x, y, e] = align(a, b);
  return { c: x + y, e };
};
const decSub: DecOp = (a, b) => {
  const [x, y, e] = align(a, b);
  return { c: x - y, e };
};
const decMul: DecOp = (a, b) => ({ c: a.c * b.c, e: a.e + b.e });

function decimalOp(first: GoValue, rest: GoValue[], op: DecOp): number {
  let acc = decFromFloat(toFloat64(first));
  for (const x of rest) acc = op(acc, decFromFloat(toFloat64(x)));
  return decToFloat(acc);
}

// ---- rounding -------------------------------------------------------------------------------------

function round(a: GoValue, p: GoValue, ...rOpt: GoValue[]): GoValue {
  const roundOn = rOpt.length > 0 ? toFloat64(rOpt[0]) : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, Number((p as GoInt).v));
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return float(r / pow);
}

/** toDecimal: the argument's %v text read as an octal integer (0 on error). */
function toDecimal(v: GoValue): bigint {
  const s = sprint([v ?? null]);
  if (!/^[+-]?[0-7]+$/.test(s)) return 0n;
  return parseGoInt(s.replace(/^([+-]?)/, '$10o')) ?? 0n;
}

function maxMin(pick: (a: bigint, b: bigint) => boolean) {
  return (a: GoValue, ...rest: GoValue[]): GoInt => {
    let acc = toInt64(a);
    for (const x of rest) {
      const v = toInt64(x);
      if (pick(v, acc)) acc = v;
    }
    return int64(acc);
  };
}

export const mathFuncs: Record<string, FuncDef> = {
  add1: def(['any'], (i) => i64(toInt64(i) + 1n)),
  add: def([], (...xs) => i64(xs.reduce<bigint>((acc, x) => wrapInt(acc + toInt64(x), 'int64'), 0n)), 'any'),
  sub: def(['any', 'any'], (a, b) => i64(toInt64(a) - toInt64(b))),
  div: def(['any', 'any'], (a, b) => i64(div(toInt64(a), toInt64(b)))),
  mod: def(['any', 'any'], (a, b) => i64(mod(toInt64(a), toInt64(b)))),
  mul: def(['any'], (a, ...v) => i64(v.reduce<bigint>((acc, x) => wrapInt(acc * toInt64(x), 'int64'), toInt64(a))), 'any'),
  randInt: def(['int', 'int'], (lo, hi) => {
    const min = Number((lo as GoInt).v);
    const max = Number((hi as GoInt).v);
    if (max - min <= 0) fail('invalid argument to Intn');
    return int(min + Math.floor(Math.random() * (max - min)));
  }),
  add1f: def(['any'], (i) => float(decimalOp(i, [int(1)], decAdd))),
  addf: def([], (...xs) => float(decimalOp(float(0), xs, decAdd)), 'any'),
  subf: def(['any'], (a, ...v) => float(decimalOp(a, v, decSub)), 'any'),
  divf: def(['any'], (a, ...v) => float(decimalOp(a, v, decDiv)), 'any'),
  mulf: def(['any'], (a, ...v) => float(decimalOp(a, v, decMul)), 'any'),
  biggest: def(['any'], maxMin((v, acc) => v > acc), 'any'),
  max: def(['any'], maxMin((v, acc) => v > acc), 'any'),
  min: def(['any'], maxMin((v, acc) => v < acc), 'any'),
  maxf: def(['any'], (a, ...v) => float(v.reduce<number>((acc, x) => Math.max(acc, toFloat64(x)), toFloat64(a))), 'any'),
  minf: def(['any'], (a, ...v) => float(v.reduce<number>((acc, x) => Math.min(acc, toFloat64(x)), toFloat64(a))), 'any'),
  ceil: def(['any'], (a) => float(Math.ceil(toFloat64(a)))),
  floor: def(['any'], (a) => float(Math.floor(toFloat64(a)))),
  round: def(['any', 'int'], round, 'float64'),
  int: def(['any'], (v) => int(toInt64(v))),
  int64: def(['any'], (v) => int64(toInt64(v))),
  float64: def(['any'], (v) => float(toFloat64(v))),
  toDecimal: def(['any'], (v) => int64(toDecimal(v))),
};

// sprig's date functions over a small model of Go's time.Time: Go reference-time layouts
// ("2006-01-02 15:04:05 MST"), time zones by IANA name (via Intl), durations printed like
// time.Duration.String(). Zone abbreviations come from Intl and can differ from Go's tzdata
// names outside UTC (e.g. "+01" where Go prints "CET").

import { type FuncDef, GoInt, GoObject, type GoValue } from '../value.js';
import { def, fail } from './util.js';

interface Zone {
  /** 'UTC', 'Local', an IANA name, or '' for a fixed offset. */
  name: string;
  fixed?: { offset: number; abbr: string };
}

interface Time {
  ns: bigint; // since the Unix epoch
  zone: Zone;
  mono?: number; // seconds on the monotonic clock, for now()
}

const UTC: Zone = { name: 'UTC' };
const LOCAL: Zone = { name: 'Local' };
const TIMES = new WeakMap<GoObject, Time>();

const localIana = (): string => process.env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function loadLocation(name: string): Zone | undefined {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return { name };
  } catch {
    return undefined;
  }
}

/** Offset (seconds east of UTC) and abbreviation of a zone at an instant. */
function zoneAt(zone: Zone, ms: number): { offset: number; abbr: string } {
  if (zone.fixed) return zone.fixed;
  const iana = zone.name === 'Local' ? localIana() : zone.name;
  if (/^(UTC|Etc\/UTC|Etc\/GMT|GMT|Universal|Zulu)$/.test(iana)) return { offset: 0, abbr: 'UTC' };
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: iana, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    second: 'numeric', timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '0';
  const wall = Date.UTC(Number(get('year')), Number(get('month')) - 1, Number(get('day')), Number(get('hour')), Number(get('minute')), Number(get('second')));
  const offset = Math.round((wall - Math.floor(ms / 1000) * 1000) / 1000);
  let abbr = get('timeZoneName');
  // en-US names few zones outside America; other English locales know more of tzdata's names.
  for (const locale of ['en-GB', 'en-AU', 'en-IN', 'en-ZA', 'ja-JP']) {
    if (!/^GMT[+-]/.test(abbr)) break;
    abbr = new Intl.DateTimeFormat(locale, { timeZone: iana, timeZoneName: 'short' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? abbr;
  }
  const gmt = /^GMT(?:([+-])(\d{1,2})(?::(\d\d))?)?$/.exec(abbr);
  if (gmt) abbr = gmt[1] ? `${gmt[1]}${gmt[2]!.padStart(2, '0')}${gmt[3] ?? ''}` : 'GMT';
  return { offset, abbr };
}

interface Wall {
  year: number; month: number; day: number; hour: number; min: number; sec: number; nsec: number; weekday: number;
  yday: number; offset: number; abbr: string;
}

function wallOf(t: Time): Wall {
  const sec = t.ns / 1_000_000_000n - (t.ns < 0n && t.ns % 1_000_000_000n !== 0n ? 1n : 0n);
  const nsec = Number(t.ns - sec * 1_000_000_000n);
  const { offset, abbr } = zoneAt(t.zone, Number(sec) * 1000);
  const d = new Date((Number(sec) + offset) * 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(), nsec, weekday: d.getUTCDay(), yday: Math.floor((d.getTime() - start) / 86_400_000) + 1, offset, abbr,
  };
}

// ---- layouts --------------------------------------------------------------------------------------

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Std =
  | 'LongMonth' | 'Month' | 'NumMonth' | 'ZeroMonth' | 'LongWeekDay' | 'WeekDay' | 'Day' | 'UnderDay' | 'ZeroDay'
  | 'UnderYearDay' | 'ZeroYearDay' | 'Hour' | 'Hour12' | 'ZeroHour12' | 'Minute' | 'ZeroMinute' | 'Second' | 'ZeroSecond'
  | 'LongYear' | 'Year' | 'PM' | 'pm' | 'TZ' | 'ISO8601TZ' | 'ISO8601SecondsTZ' | 'ISO8601ShortTZ' | 'ISO8601ColonTZ'
  | 'ISO8601ColonSecondsTZ' | 'NumTZ' | 'NumSecondsTz' | 'NumShortTZ' | 'NumColonTZ' | 'NumColonSecondsTZ' | 'Frac';

interface Chunk {
  prefix: string;
  std?: Std;
  frac?: { sep: string; digits: number; trim: boolean };
  suffix: string;
}

/** Go's nextStdChunk: the literal prefix, the next layout element and the rest. */
function nextStdChunk(layout: string): Chunk {
  const at = (i: number, s: string): boolean => layout.startsWith(s, i);
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const done = (std: Std, len: number): Chunk => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(i + len) });
    switch (c) {
      case 'J':
        if (at(i, 'Jan')) return at(i, 'January') ? done('LongMonth', 7) : done('Month', 3);
        break;
      case 'M':
        if (at(i, 'Mon')) return at(i, 'Monday') ? done('LongWeekDay', 6) : done('WeekDay', 3);
        if (at(i, 'MST')) return done('TZ', 3);
        break;
      case '0': {
        const n = layout[i + 1];
        if (n !== undefined && n >= '1' && n <= '6') {
          return done((['ZeroMonth', 'ZeroDay', 'ZeroHour12', 'ZeroMinute', 'ZeroSecond', 'Year'] as Std[])[Number(n) - 1]!, 2);
        }
        if (at(i + 1, '02')) return done('ZeroYearDay', 3);
        break;
      }
      case '1':
        return layout[i + 1] === '5' ? done('Hour', 2) : done('NumMonth', 1);
      case '2':
        return at(i, '2006') ? done('LongYear', 4) : done('Day', 1);
      case '_':
        if (layout[i + 1] === '2') {
          if (at(i + 1, '2006')) return { prefix: layout.slice(0, i + 1), std: 'LongYear', suffix: layout.slice(i + 5) };
          return done('UnderDay', 2);
        }
        if (at(i + 1, '_2')) return done('UnderYearDay', 3);
        break;
      case '3':
        return done('Hour12', 1);
      case '4':
        return done('Minute', 1);
      case '5':
        return done('Second', 1);
      case 'P':
        if (layout[i + 1] === 'M') return done('PM', 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return done('pm', 2);
        break;
      case '-':
        if (at(i, '-070000')) return done('NumSecondsTz', 7);
        if (at(i, '-07:00:00')) return done('NumColonSecondsTZ', 9);
        if (at(i, '-0700')) return done('NumTZ', 5);
        if (at(i, '-07:00')) return done('NumColonTZ', 6);
        if (at(i, '-07')) return done('NumShortTZ', 3);
        break;
      case 'Z':
        if (at(i, 'Z070000')) return done('ISO8601SecondsTZ', 7);
        if (at(i, 'Z07:00:00')) return done('ISO8601ColonSecondsTZ', 9);
        if (at(i, 'Z0700')) return done('ISO8601TZ', 5);
        if (at(i, 'Z07:00')) return done('ISO8601ColonTZ', 6);
        if (at(i, 'Z07')) return done('ISO8601ShortTZ', 3);
        break;
      case '.':
      case ',': {
        const d = layout[i + 1];
        if (d === '0' || d === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === d) j++;
          if (!/[0-9]/.test(layout[j] ?? '')) {
            return { prefix: layout.slice(0, i), std: 'Frac', frac: { sep: c, digits: j - i - 1, trim: d === '9' }, suffix: layout.slice(j) };
          }
        }
        break;
      }
    }
  }
  return { prefix: layout, suffix: '' };
}

const pad = (n: number, w: number, ch = '0'): string => String(Math.abs(n)).padStart(w, ch);

function formatTz(std: Std, offset: number, abbr: string): string {
  if (std === 'TZ') {
    if (abbr) return abbr;
    const m = Math.trunc(offset / 60);
    return (m < 0 ? '-' : '+') + pad(Math.trunc(Math.abs(m) / 60), 2) + pad(Math.abs(m) % 60, 2);
  }
  if (std.startsWith('ISO8601') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = pad(Math.floor(abs / 3600), 2);
  const mi = pad(Math.floor(abs / 60) % 60, 2);
  const s = pad(abs % 60, 2);
  const colon = std.includes('Colon');
  if (std.endsWith('ShortTZ')) return sign + h;
  let out = sign + h + (colon ? ':' : '') + mi;
  if (std.includes('Seconds')) out += (colon ? ':' : '') + s;
  return out;
}

export function formatTime(t: Time, layout: string): string {
  const w = wallOf(t);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const ch = nextStdChunk(rest);
    out += ch.prefix;
    if (!ch.std) break;
    rest = ch.suffix;
    const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
    switch (ch.std) {
      case 'LongYear': out += (w.year < 0 ? '-' : '') + pad(w.year, 4); break;
      case 'Year': out += pad(w.year % 100, 2); break;
      case 'Month': out += LONG_MONTHS[w.month - 1]!.slice(0, 3); break;
      case 'LongMonth': out += LONG_MONTHS[w.month - 1]; break;
      case 'NumMonth': out += w.month; break;
      case 'ZeroMonth': out += pad(w.month, 2); break;
      case 'WeekDay': out += LONG_DAYS[w.weekday]!.slice(0, 3); break;
      case 'LongWeekDay': out += LONG_DAYS[w.weekday]; break;
      case 'Day': out += w.day; break;
      case 'UnderDay': out += pad(w.day, 2, ' '); break;
      case 'ZeroDay': out += pad(w.day, 2); break;
      case 'UnderYearDay': out += pad(w.yday, 3, ' '); break;
      case 'ZeroYearDay': out += pad(w.yday, 3); break;
      case 'Hour': out += pad(w.hour, 2); break;
      case 'Hour12': out += h12; break;
      case 'ZeroHour12': out += pad(h12, 2); break;
      case 'Minute': out += w.min; break;
      case 'ZeroMinute': out += pad(w.min, 2); break;
      case 'Second': out += w.sec; break;
      case 'ZeroSecond': out += pad(w.sec, 2); break;
      case 'PM': out += w.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += w.hour >= 12 ? 'pm' : 'am'; break;
      case 'Frac': {
        const f = ch.frac!;
        let digits = pad(w.nsec, 9).slice(0, f.digits);
        if (f.trim) {
          digits = digits.replace(/0+$/, '');
          if (digits !== '') out += f.sep + digits;
        } else out += f.sep + digits;
        break;
      }
      default: out += formatTz(ch.std, w.offset, w.abbr);
    }
  }
  return out;
}

// ---- parsing (time.ParseInLocation, the common layout elements) -------------------------------------

function parseTime(layout: string, value: string, loc: Zone): Time {
  const err = (msg = ''): never =>
    fail(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: ${msg || 'cannot parse'}`);
  let year = 1, month = 1, day = 1, hour = 0, min = 0, sec = 0, nsec = 0, pm: boolean | undefined;
  let offset: number | undefined;
  let rest = layout;
  let v = value;
  const num = (min: number, max: number, elem: string, fixed = false): number => {
    const m = (fixed ? new RegExp(`^\\d{${max}}`) : new RegExp(`^\\d{${min},${max}}`)).exec(v);
    if (!m) err(`cannot parse ${JSON.stringify(v)} as ${JSON.stringify(elem)}`);
    v = v.slice(m![0].length);
    return Number(m![0]);
  };
  const word = (list: string[], len: number | undefined, elem: string): number => {
    const i = list.findIndex((n) => v.toLowerCase().startsWith((len ? n.slice(0, len) : n).toLowerCase()));
    if (i < 0) err(`cannot parse ${JSON.stringify(v)} as ${JSON.stringify(elem)}`);
    v = v.slice(len ?? list[i]!.length);
    return i;
  };
  while (rest !== '') {
    const ch = nextStdChunk(rest);
    if (!v.startsWith(ch.prefix)) err(`cannot parse ${JSON.stringify(v)} as ${JSON.stringify(ch.prefix)}`);
    v = v.slice(ch.prefix.length);
    if (!ch.std) break;
    const elem = rest.slice(ch.prefix.length, rest.length - ch.suffix.length);
    rest = ch.suffix;
    switch (ch.std) {
      case 'LongYear': year = num(4, 4, elem, true); break;
      case 'Year': { const y = num(2, 2, elem, true); year = y >= 69 ? 1900 + y : 2000 + y; break; }
      case 'Month': month = word(LONG_MONTHS, 3, elem) + 1; break;
      case 'LongMonth': month = word(LONG_MONTHS, undefined, elem) + 1; break;
      case 'NumMonth': case 'ZeroMonth': month = num(ch.std === 'ZeroMonth' ? 2 : 1, 2, elem); if (month < 1 || month > 12) err('month out of range'); break;
      case 'WeekDay': word(LONG_DAYS, 3, elem); break;
      case 'LongWeekDay': word(LONG_DAYS, undefined, elem); break;
      case 'Day': case 'UnderDay': case 'ZeroDay': if (ch.std === 'UnderDay' && v[0] === ' ') v = v.slice(1); day = num(ch.std === 'ZeroDay' ? 2 : 1, 2, elem); break;
      case 'Hour': hour = num(2, 2, elem); if (hour > 23) err('hour out of range'); break;
      case 'Hour12': case 'ZeroHour12': hour = num(ch.std === 'ZeroHour12' ? 2 : 1, 2, elem); if (hour > 12) err('hour out of range'); break;
      case 'Minute': case 'ZeroMinute': min = num(ch.std === 'ZeroMinute' ? 2 : 1, 2, elem); if (min > 59) err('minute out of range'); break;
      case 'Second': case 'ZeroSecond': {
        sec = num(ch.std === 'ZeroSecond' ? 2 : 1, 2, elem);
        if (sec > 59) err('second out of range');
        const f = /^[.,](\d+)/.exec(v);
        if (f && !(rest.startsWith('.') || rest.startsWith(','))) {
          nsec = Number(f[1]!.slice(0, 9).padEnd(9, '0'));
          v = v.slice(f[0].length);
        }
        break;
      }
      case 'PM': case 'pm': { const p = v.slice(0, 2).toUpperCase(); if (p !== 'AM' && p !== 'PM') err(); pm = p === 'PM'; v = v.slice(2); break; }
      case 'Frac': {
        const m = /^[.,](\d+)/.exec(v);
        if (!m) { if (!ch.frac!.trim) err(); break; }
        nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
        v = v.slice(m[0].length);
        break;
      }
      case 'TZ': {
        const m = /^(UTC|GMT|[A-Z]{3,5})/.exec(v);
        if (!m) err(`cannot parse ${JSON.stringify(v)} as "MST"`);
        v = v.slice(m![0].length);
        if (m![1] === 'UTC' || m![1] === 'GMT') offset = 0;
        break;
      }
      default: {
        if (ch.std.startsWith('ISO8601') && v[0] === 'Z') {
          v = v.slice(1);
          offset = 0;
          break;
        }
        const m = /^([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?/.exec(v);
        if (!m) err(`cannot parse ${JSON.stringify(v)} as ${JSON.stringify(elem)}`);
        v = v.slice(m![0].length);
        offset = (m![1] === '-' ? -1 : 1) * (Number(m![2]) * 3600 + Number(m![3] ?? 0) * 60 + Number(m![4] ?? 0));
      }
    }
  }
  if (v !== '') err(`extra text: ${JSON.stringify(v)}`);
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  const wallMs = Date.UTC(year, month - 1, day, hour, min, sec);
  if (new Date(wallMs).getUTCDate() !== day) err('day out of range');
  let zone = loc;
  if (offset === undefined) {
    // The wall clock is in loc: find the instant whose local time it is.
    offset = zoneAt(loc, wallMs).offset;
    offset = zoneAt(loc, wallMs - offset * 1000).offset;
  } else if (offset !== zoneAt(loc, wallMs - offset * 1000).offset) {
    zone = { name: '', fixed: { offset, abbr: '' } };
  }
  return { ns: BigInt(wallMs / 1000 - offset) * 1_000_000_000n + BigInt(nsec), zone };
}

// ---- durations ------------------------------------------------------------------------------------

/** time.Duration.String(). */
export function durationString(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, scale] = u < 1000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    out = fracString(u, scale) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u %= 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u %= 60_000_000_000n;
    out = (h > 0n ? `${h}h` : '') + (h > 0n || m > 0n ? `${m}m` : '') + fracString(u, 1_000_000_000n) + 's';
  }
  return (neg ? '-' : '') + out;
}

function fracString(v: bigint, scale: bigint): string {
  const whole = v / scale;
  const frac = v % scale;
  if (frac === 0n) return String(whole);
  const width = scale.toString().length - 1;
  return `${whole}.${frac.toString().padStart(width, '0').replace(/0+$/, '')}`;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** time.ParseDuration. */
export function parseDuration(s: string): bigint {
  const orig = s;
  const bad = (): never => fail(`time: invalid duration ${JSON.stringify(orig)}`);
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') bad();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) bad();
    const unit = UNITS[m![3]!];
    if (unit === undefined) fail(`time: unknown unit ${JSON.stringify(m![3])} in duration ${JSON.stringify(orig)}`);
    total += Number(`${m![1] || '0'}.${m![2] || '0'}`) * unit!;
    s = s.slice(m![0].length);
  }
  return BigInt(Math.round(neg ? -total : total));
}

// ---- the functions --------------------------------------------------------------------------------

function timeObject(t: Time): GoObject {
  const str = (): string => {
    let s = formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST');
    if (t.mono !== undefined) s += ` m=+${t.mono.toFixed(9)}`;
    return s;
  };
  const m = (fn: (...a: GoValue[]) => GoValue, params: FuncDef['params'] = []): FuncDef => def(params, fn);
  const sec = (): bigint => t.ns / 1_000_000_000n - (t.ns < 0n && t.ns % 1_000_000_000n !== 0n ? 1n : 0n);
  const o = new GoObject(
    'time.Time',
    {
      Unix: m(() => new GoInt(sec(), 'int64')),
      UnixNano: m(() => new GoInt(t.ns, 'int64')),
      Year: m(() => new GoInt(wallOf(t).year)),
      YearDay: m(() => new GoInt(wallOf(t).yday)),
      Day: m(() => new GoInt(wallOf(t).day)),
      Hour: m(() => new GoInt(wallOf(t).hour)),
      Minute: m(() => new GoInt(wallOf(t).min)),
      Second: m(() => new GoInt(wallOf(t).sec)),
      Nanosecond: m(() => new GoInt(wallOf(t).nsec)),
      Format: m((l) => formatTime(t, l as string), ['string']),
      UTC: m(() => timeObject({ ns: t.ns, zone: UTC })),
      Local: m(() => timeObject({ ns: t.ns, zone: LOCAL })),
      String: m(str),
    },
    str,
    () => formatTime(t, '2006-01-02T15:04:05.999999999Z07:00'),
    'struct',
  );
  TIMES.set(o, t);
  return o;
}

const timeOf = (v: GoValue): Time | undefined => (v instanceof GoObject ? TIMES.get(v) : undefined);

function now(): Time {
  const ns = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1e6));
  return { ns, zone: LOCAL, mono: process.uptime() };
}

function fromUnix(v: GoValue): Time | undefined {
  if (v instanceof GoInt && (v.kind === 'int' || v.kind === 'int64' || v.kind === 'int32')) return { ns: v.v * 1_000_000_000n, zone: LOCAL };
  return timeOf(v);
}

function dateInZone(layout: string, date: GoValue, zone: string): string {
  const t = fromUnix(date) ?? now();
  return formatTime({ ns: t.ns, zone: loadLocation(zone) ?? UTC }, layout);
}

/** time.Since(t), in nanoseconds. */
const since = (t: Time): bigint => BigInt(Date.now()) * 1_000_000n - t.ns;

function durationRound(d: bigint): string {
  const u = d < 0n ? -d : d;
  const hour = 3_600_000_000_000n;
  const steps: [bigint, string][] = [
    [hour * 24n * 365n, 'y'], [hour * 24n * 30n, 'mo'], [hour * 24n, 'd'], [hour, 'h'], [60_000_000_000n, 'm'], [1_000_000_000n, 's'],
  ];
  for (const [size, unit] of steps) if (u > size) return `${u / size}${unit}`;
  return '0s';
}

function needTime(v: GoValue): Time {
  const t = timeOf(v);
  if (!t) fail('wrong type for value; expected time.Time');
  return t!;
}

export const dateFuncs: Record<string, FuncDef> = {
  now: def([], () => timeObject(now())),
  date: def(['string', 'any'], (f, d) => dateInZone(f as string, d, 'Local')),
  dateInZone: def(['string', 'any', 'string'], (f, d, z) => dateInZone(f as string, d, z as string)),
  date_in_zone: def(['string', 'any', 'string'], (f, d, z) => dateInZone(f as string, d, z as string)),
  htmlDate: def(['any'], (d) => dateInZone('2006-01-02', d, 'Local')),
  htmlDateInZone: def(['any', 'string'], (d, z) => dateInZone('2006-01-02', d, z as string)),
  unixEpoch: def(['any'], (d) => String(needTime(d).ns / 1_000_000_000n)),
  toDate: def(['string', 'string'], (f, s) => {
    try {
      return timeObject(parseTime(f as string, s as string, LOCAL));
    } catch {
      return timeObject({ ns: -62135596800n * 1_000_000_000n, zone: UTC }); // Go's zero time
    }
  }),
  mustToDate: def(['string', 'string'], (f, s) => timeObject(parseTime(f as string, s as string, LOCAL))),
  dateModify: def(['string', 'any'], (f, d) => {
    const t = needTime(d);
    try {
      return timeObject({ ns: t.ns + parseDuration(f as string), zone: t.zone });
    } catch {
      return d;
    }
  }),
  mustDateModify: def(['string', 'any'], (f, d) => {
    const t = needTime(d);
    return timeObject({ ns: t.ns + parseDuration(f as string), zone: t.zone });
  }),
  ago: def(['any'], (d) => {
    const t = fromUnix(d) ?? now();
    const ns = since(t);
    const rounded = ((ns + (ns < 0n ? -500_000_000n : 500_000_000n)) / 1_000_000_000n) * 1_000_000_000n;
    return durationString(rounded);
  }),
  duration: def(['any'], (s) => {
    let n = 0n;
    if (typeof s === 'string') n = /^[+-]?\d+$/.test(s) ? BigInt(s) : 0n;
    else if (s instanceof GoInt && s.kind === 'int64') n = s.v;
    return durationString(BigInt.asIntN(64, n * 1_000_000_000n));
  }),
  durationRound: def(['any'], (d) => {
    let ns = 0n;
    if (typeof d === 'string') {
      try {
        ns = parseDuration(d);
      } catch {
        ns = 0n;
      }
    } else if (d instanceof GoInt && d.kind === 'int64') ns = d.v;
    else if (timeOf(d)) ns = since(timeOf(d)!);
    return durationRound(ns);
  }),
};
dateFuncs.date_modify = dateFuncs.dateModify!;
dateFuncs.must_date_modify = dateFuncs.mustDateModify!;

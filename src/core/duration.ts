import { UserError } from './errors.js';

/** Parses "90s", "15m", "1h30m", "500ms" or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, flag = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of trimmed.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  if (consumed !== trimmed.length || trimmed === '') {
    throw new UserError(`Invalid ${flag} '${text}'.`, { fix: `Use a Go-style duration such as 90s, 15m or 1h30m.` });
  }
  return total;
}

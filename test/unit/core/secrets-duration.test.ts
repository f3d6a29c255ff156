import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/core/duration.js';
import { UserError } from '../../../src/core/errors.js';
import { Redactor, REDACTED } from '../../../src/core/secrets.js';

describe('Redactor', () => {
  it('redacts registered values everywhere they occur', () => {
    const r = new Redactor();
    r.add('my-private-key-123');
    expect(r.redact('a my-private-key-123 b my-private-key-123')).toBe(`a ${REDACTED} b ${REDACTED}`);
  });

  it('ignores short or missing values (they would redact ordinary text)', () => {
    const r = new Redactor();
    r.add('abc');
    r.add(undefined);
    expect(r.redact('abc abcdef')).toBe('abc abcdef');
  });

  it('catches well-known token shapes nobody registered', () => {
    const r = new Redactor();
    expect(r.redact('token hf_AbCdEfGhIjKlMnOp used')).toBe('token *** used');
    expect(r.redact('key sk-proj-abcdefghijklmnop1234')).toBe('key ***');
    expect(r.redact('Authorization: Bearer abc.def-ghi_jkl')).toBe('Authorization: Bearer ***');
    expect(r.redact('HF_TOKEN=hf_short1 OPENAI_API_KEY=xyz')).toBe('HF_TOKEN=*** OPENAI_API_KEY=***');
    expect(r.redact('nothing secret here: hf_ x sk-1')).toBe('nothing secret here: hf_ x sk-1');
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['2', 2000],
    ['1.5s', 1500],
    [' 10m ', 600_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '10x', '5m10', 'm5', '-5s'])('rejects %j with a UserError naming the flag', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(UserError);
    try {
      parseDuration(text, '--timeout');
    } catch (e) {
      expect((e as UserError).message).toContain('--timeout');
      expect((e as UserError).fix[0]).toContain('90s');
      expect((e as UserError).exitCode).toBe(2);
    }
  });
});

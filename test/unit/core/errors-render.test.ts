import { describe, expect, it } from 'vitest';
import { BugError, ExitCode, ExternalError, InterruptedError, UserError, tail } from '../../../src/core/errors.js';
import { Redactor } from '../../../src/core/secrets.js';
import { createStyle } from '../../../src/core/style.js';
import { renderError } from '../../../src/cli/errors-render.js';
import { EXIT_OK, EXIT_USAGE } from '../../../src/cli/main.js';

const plain = createStyle(false);
const render = (e: unknown, verbose = false, redactor = new Redactor()) => renderError(e, plain, redactor, verbose);

describe('exit codes', () => {
  it('documented values; main.ts literals agree with ExitCode', () => {
    expect(ExitCode).toEqual({ ok: 0, failed: 1, usage: 2, bug: 70, interrupted: 130 });
    expect(EXIT_OK).toBe(ExitCode.ok);
    expect(EXIT_USAGE).toBe(ExitCode.usage);
  });
});

describe('renderError', () => {
  it('UserError: message, details, the fix; exit 2 by default, 1 when changes began', () => {
    const r = render(new UserError('Docker is not running.', { fix: 'sudo systemctl start docker', details: ['checked: docker info'] }));
    expect(r.exitCode).toBe(2);
    expect(r.text).toBe('Error: Docker is not running.\n  checked: docker info\n\nFix:\n  sudo systemctl start docker\n');
    const many = render(new UserError('x', { fix: ['a', 'b'], exitCode: ExitCode.failed }));
    expect(many.exitCode).toBe(1);
    expect(many.text).toContain('Fix (in order):\n  a\n  b');
  });

  it('ExternalError: command, exit code and output tail; exit 1', () => {
    const r = render(new ExternalError('Command failed with exit code 100: apt-get install x', 'apt-get install x', 100, 'E: Unable to locate package x', ['apt-get update']));
    expect(r.exitCode).toBe(1);
    expect(r.text).toContain('  command:   apt-get install x\n  exit code: 100\n  output (last lines):\n    E: Unable to locate package x');
    expect(r.text).toContain('Fix:\n  apt-get update');
  });

  it('InterruptedError: exit 130 with what was left half-done', () => {
    const r = render(new InterruptedError('Interrupted.', ['cluster gpu: node setup of worker2']));
    expect(r.exitCode).toBe(130);
    expect(r.text).toContain('Left half-done (the next run resumes from here):\n  - cluster gpu: node setup of worker2');
  });

  it('bugs and unknown errors: exit 70, a report hint, the stack only with --verbose', () => {
    const bug = render(new BugError('invariant broke'));
    expect(bug.exitCode).toBe(70);
    expect(bug.text).toContain('This is a bug in kindling');
    expect(bug.text).not.toContain('at ');
    const unknown = render(new TypeError('x is undefined'));
    expect(unknown.exitCode).toBe(70);
    expect(unknown.text).toContain('Internal error: x is undefined');
    expect(unknown.text).not.toMatch(/\n\s+at /);
    expect(render(new TypeError('y'), true).text).toMatch(/\n\s+at /);
    expect(render('a string').text).toContain('Internal error: a string');
  });

  it('never prints a registered secret or a token shape', () => {
    const redactor = new Redactor();
    redactor.add('hunter2-very-secret');
    const r = render(new ExternalError('failed: hunter2-very-secret', 'curl -H hunter2-very-secret', 1, 'bad token hf_ABCDEFGHIJKLMNOP'), false, redactor);
    expect(r.text).not.toContain('hunter2-very-secret');
    expect(r.text).not.toContain('hf_ABCDEFGHIJKLMNOP');
  });

  it('no ANSI without color; colors with a color style', () => {
    expect(render(new UserError('x')).text).not.toMatch(/\x1b\[/);
    expect(renderError(new UserError('x'), createStyle(true), new Redactor(), false).text).toMatch(/\x1b\[31mError:/);
  });
});

describe('tail', () => {
  it('keeps the last non-empty lines', () => {
    expect(tail('a\n\nb\nc\n\n', 2)).toBe('b\nc');
  });
});

/** The real process runner against `node -e` children: streaming, timeouts, cancellation, dry-run, redaction. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExternalError, InterruptedError } from '../../../src/core/errors.js';
import { Plan } from '../../../src/core/plan.js';
import { ExecaRunner } from '../../../src/core/runner.js';
import { Redactor } from '../../../src/core/secrets.js';

const node = process.execPath;

function runner(options: { dryRun?: boolean; signal?: AbortSignal; killGraceMs?: number; isRoot?: boolean } = {}) {
  const plan = new Plan(options.dryRun ?? false);
  const redactor = new Redactor();
  const trace: string[] = [];
  const r = new ExecaRunner({
    plan,
    redactor,
    signal: options.signal ?? new AbortController().signal,
    killGraceMs: options.killGraceMs ?? 300,
    isRoot: options.isRoot ?? true,
    trace: (l) => trace.push(l),
  });
  return { r, plan, redactor, trace };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ExecaRunner.run', () => {
  it('collects stdout, stderr and the exit code', async () => {
    const { r } = runner();
    const res = await r.run({ argv: [node, '-e', 'process.stdout.write("out\\n"); process.stderr.write("err\\n")'], mutating: false });
    expect(res).toMatchObject({ exitCode: 0, stdout: 'out\n', stderr: 'err\n', recorded: false });
  });

  it('passes stdin and extra env', async () => {
    const { r } = runner();
    const res = await r.run({
      argv: [node, '-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(s.toUpperCase()+process.env.KINDLING_X))'],
      stdin: 'hello ',
      env: { KINDLING_X: 'env!' },
      mutating: false,
    });
    expect(res.stdout).toBe('HELLO env!');
  });

  it('throws ExternalError with the command, exit code and stderr tail; allowFailure returns instead', async () => {
    const { r } = runner();
    const argv = [node, '-e', 'for (let i = 0; i < 30; i++) console.error("line " + i); process.exit(3)'];
    const error = await r.run({ argv, mutating: false, fix: 'do the thing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    const e = error as ExternalError;
    expect(e.commandExitCode).toBe(3);
    expect(e.exitCode).toBe(1);
    expect(e.command).toContain('process.exit(3)');
    expect(e.stderrTail.split('\n')).toHaveLength(15);
    expect(e.stderrTail.split('\n').at(-1)).toBe('line 29');
    expect(e.fix).toEqual(['do the thing']);
    expect(e.notFound).toBe(false);
    const res = await r.run({ argv, mutating: false, allowFailure: true });
    expect(res.exitCode).toBe(3);
  });

  it('a missing program is notFound (exit 127) with a default fix', async () => {
    const { r } = runner();
    const error = (await r.run({ argv: ['kindling-no-such-program-xyz', '--version'], mutating: false }).catch((e: unknown) => e)) as ExternalError;
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.notFound).toBe(true);
    expect(error.commandExitCode).toBe(127);
    expect(error.message).toContain("'kindling-no-such-program-xyz' was not found on PATH");
    expect(error.fix).toEqual(['kindling host setup']);
  });

  it('a program that merely prints ENOENT is an ordinary failure, not "not found"', async () => {
    const { r } = runner();
    const error = (await r.run({ argv: [node, '-e', 'console.error("ENOENT: no such file or directory, open /x"); process.exit(1)'], mutating: false }).catch((e: unknown) => e)) as ExternalError;
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.notFound).toBe(false);
    expect(error.commandExitCode).toBe(1);
  });

  it('times out with an ExternalError that says so', async () => {
    const { r } = runner();
    const started = performance.now();
    const error = (await r.run({ argv: [node, '-e', 'setTimeout(() => {}, 10000)'], mutating: false, timeoutMs: 300 }).catch((e: unknown) => e)) as ExternalError;
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.message).toMatch(/^Timed out after/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('runs root commands through sudo when not root', () => {
    expect(runner({ isRoot: false }).r.effectiveArgv({ argv: ['apt-get', 'update'], mutating: true, root: true })).toEqual(['sudo', '--', 'apt-get', 'update']);
    expect(runner({ isRoot: true }).r.effectiveArgv({ argv: ['apt-get', 'update'], mutating: true, root: true })).toEqual(['apt-get', 'update']);
  });
});

describe('ExecaRunner.stream', () => {
  it('hands over each line as it arrives, from both streams, including a last line without newline', async () => {
    const { r } = runner();
    const lines: string[] = [];
    const times: number[] = [];
    const started = performance.now();
    const res = await r.stream(
      {
        argv: [node, '-e', 'process.stdout.write("a\\r\\nb\\n"); setTimeout(() => { process.stderr.write("warn\\n"); process.stdout.write("c") }, 400)'],
        mutating: false,
      },
      (line, source) => {
        lines.push(`${source}:${line}`);
        times.push(performance.now() - started);
      },
    );
    expect(lines).toEqual(['stdout:a', 'stdout:b', 'stderr:warn', 'stdout:c']);
    // The first lines arrive before the child ends (streaming, not buffered to the end).
    expect(times[0]!).toBeLessThan(times[2]! - 200);
    expect(res.stdout).toBe('a\r\nb\nc');
  });
});

describe('cancellation', () => {
  it('AbortSignal: SIGTERM first — a child that exits on SIGTERM ends at once', async () => {
    const controller = new AbortController();
    const { r } = runner({ signal: controller.signal, killGraceMs: 5000 });
    const started = performance.now();
    const p = r.run({ argv: [node, '-e', 'process.on("SIGTERM", () => { process.exit(0) }); setInterval(() => {}, 1000)'], mutating: false });
    setTimeout(() => controller.abort(), 300);
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it('a child that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
    const controller = new AbortController();
    const { r } = runner({ signal: controller.signal, killGraceMs: 700 });
    let pid = 0;
    const started = performance.now();
    let abortedAt = 0;
    const p = r.stream(
      { argv: [node, '-e', 'process.on("SIGTERM", () => console.log("got SIGTERM, ignoring")); console.log(process.pid); setInterval(() => {}, 1000)'], mutating: false },
      (line) => {
        if (/^\d+$/.test(line) && pid === 0) {
          pid = Number(line);
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 100);
        }
      },
    );
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    const waited = performance.now() - abortedAt;
    expect(waited).toBeGreaterThanOrEqual(600);
    expect(waited).toBeLessThan(5000);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('refuses to start once the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { r } = runner({ signal: controller.signal });
    await expect(r.run({ argv: [node, '-e', '0'], mutating: false })).rejects.toBeInstanceOf(InterruptedError);
  });

  it('a per-command signal also cancels', async () => {
    const { r } = runner();
    const own = new AbortController();
    const p = r.run({ argv: [node, '-e', 'setInterval(() => {}, 1000)'], mutating: false, signal: own.signal });
    setTimeout(() => own.abort(), 200);
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
  });
});

describe('dry-run (record mode)', () => {
  it('records mutating commands with argv, stdin and env names — without running them — while probes run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-runner-'));
    const marker = join(dir, 'created');
    const { r, plan, trace } = runner({ dryRun: true });
    const res = await r.run({
      argv: [node, '-e', `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`],
      mutating: true,
      stdin: 'config: 1\n',
      env: { HF_TOKEN: 'hf_secretvalue1234567890', OTHER: 'v' },
      description: 'write the marker',
      root: true,
    });
    expect(res.recorded).toBe(true);
    expect(existsSync(marker)).toBe(false);
    const probe = await r.run({ argv: [node, '-e', 'process.stdout.write("probe ran")'], mutating: false });
    expect(probe).toMatchObject({ stdout: 'probe ran', recorded: false });
    expect(plan.entries).toHaveLength(1);
    expect(plan.entries[0]).toMatchObject({
      executed: false,
      action: { kind: 'command', root: true, stdin: 'config: 1\n', envNames: ['HF_TOKEN', 'OTHER'], description: 'write the marker' },
    });
    expect(JSON.stringify(plan.toJSON())).not.toContain('hf_secretvalue');
    expect(trace.some((l) => l.startsWith('[dry-run]'))).toBe(true);
    expect(trace.some((l) => l.startsWith('[probe]'))).toBe(true);
  });

  it('a real run records mutating commands as executed', async () => {
    const { r, plan } = runner();
    await r.run({ argv: [node, '-e', '0'], mutating: true });
    expect(plan.entries).toEqual([{ executed: true, action: expect.objectContaining({ kind: 'command' }) }]);
  });
});

describe('secret redaction', () => {
  it('redacts registered secrets in recorded argv and stdin, secret stdin entirely', async () => {
    const { r, plan, redactor } = runner({ dryRun: true });
    redactor.add('s3cr3t-value-42');
    await r.run({ argv: ['curl', '-H', 'X-Key: s3cr3t-value-42', 'https://example.invalid'], mutating: true, stdin: 'key=s3cr3t-value-42' });
    await r.run({ argv: ['kubectl', 'apply', '-f', '-'], mutating: true, stdin: 'anything at all', stdinSecret: true });
    const rendered = plan.render();
    expect(rendered).not.toContain('s3cr3t-value-42');
    expect(rendered).toContain("'X-Key: ***'");
    expect(rendered).toContain('key=***');
    expect(plan.entries[1]?.action).toMatchObject({ stdin: '***' });
  });

  it('redacts secrets and token shapes in errors (command and stderr tail) and the trace', async () => {
    const { r, redactor, trace } = runner();
    redactor.add('another-secret-99');
    const error = (await r
      .run({ argv: [node, '-e', 'console.error("auth failed for hf_abcdefghijklmnop and another-secret-99"); process.exit(1)', 'another-secret-99'], mutating: false })
      .catch((e: unknown) => e)) as ExternalError;
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.stderrTail).toBe('auth failed for *** and ***');
    expect(error.command).not.toContain('another-secret-99');
    expect(error.message).not.toContain('another-secret-99');
    expect(trace.join('\n')).not.toContain('another-secret-99');
  });
});

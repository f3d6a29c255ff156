/** The io hosts: human (plain, non-TTY), JSON (only JSON on stdout) and recording. */
import { describe, expect, it } from 'vitest';
import { HumanIoHost, JsonIoHost, RecordingIoHost, type HostOptions, type IoHost } from '../../../src/core/io.js';

function sinks(isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    options: (o: Partial<HostOptions> = {}): HostOptions => ({
      stdout: { write: (s: string) => out.push(s), isTTY },
      stderr: { write: (s: string) => err.push(s), isTTY, columns: 100 },
      color: false,
      verbose: false,
      quiet: false,
      interactive: false,
      ...o,
    }),
  };
}

const ANSI = /\x1b\[/;

describe('HumanIoHost without a TTY', () => {
  it('indents a step under the step whose work started it; parallel siblings share a depth', async () => {
    const s = sinks();
    const io = new HumanIoHost(s.options());
    await io.step('Cluster', async () => {
      await Promise.all(
        ['worker', 'worker2'].map((n) =>
          io.step(`GPU setup of ${n}`, async () => {
            await new Promise((r) => setTimeout(r, 5));
            await io.step(`restart containerd on ${n}`, async () => undefined);
          }),
        ),
      );
    });
    await io.step('Next phase', async () => undefined);
    const done = s.err.join('').split('\n').filter((l) => l.includes('✓'));
    expect(done.map((l) => l.replace(/ \(\d+ms\)$/, ''))).toEqual([
      '    ✓ restart containerd on worker',
      '  ✓ GPU setup of worker',
      '    ✓ restart containerd on worker2',
      '  ✓ GPU setup of worker2',
      '✓ Cluster',
      '✓ Next phase',
    ]);
  });

  it('prints plain step lines with a mark and time, progress on stderr and results on stdout', async () => {
    const s = sinks();
    const io = new HumanIoHost(s.options());
    const v = await io.step('Create cluster', async (h) => {
      h.update('waiting for nodes');
      h.done('3 nodes');
      return 42;
    });
    expect(v).toBe(42);
    await io.step('Install toolkit', async (h) => h.skip('already installed'));
    await expect(io.step('Deploy model', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    io.info('note');
    io.warn('careful');
    io.debug('hidden');
    io.result({ a: 1 }, (d) => `a=${d.a}`);
    const err = s.err.join('');
    expect(err).toMatch(/^… Create cluster\n/);
    expect(err).toContain('  Create cluster: waiting for nodes\n');
    expect(err).toMatch(/✓ Create cluster — 3 nodes \(\d+ms\)\n/);
    expect(err).toMatch(/○ Install toolkit — already installed \(\d+ms\)\n/);
    expect(err).toMatch(/✗ Deploy model \(\d+ms\)\n/);
    expect(err).toContain('note\n');
    expect(err).toContain('! careful\n');
    expect(err).not.toContain('hidden');
    expect(err).not.toMatch(ANSI);
    expect(s.out.join('')).toBe('a=1\n');
    expect(io.timings().map((t) => [t.title, t.status])).toEqual([
      ['Create cluster', 'done'],
      ['Install toolkit', 'skipped'],
      ['Deploy model', 'failed'],
    ]);
  });

  it('--quiet keeps failures, warnings and results; --verbose shows debug', async () => {
    const s = sinks();
    const io = new HumanIoHost(s.options({ quiet: true }));
    await io.step('ok step', async () => undefined);
    await io.step('bad step', async () => Promise.reject(new Error('x'))).catch(() => undefined);
    io.info('info');
    io.warn('warning');
    io.result('r', (d) => d);
    const err = s.err.join('');
    expect(err).not.toContain('ok step');
    expect(err).toContain('✗ bad step');
    expect(err).not.toContain('info');
    expect(err).toContain('! warning');
    expect(s.out.join('')).toBe('r\n');
    const v = sinks();
    new HumanIoHost(v.options({ verbose: true })).debug('dbg');
    expect(v.err.join('')).toBe('dbg\n');
  });

  it('confirm without a TTY is false unless --yes', async () => {
    const s = sinks();
    const io = new HumanIoHost(s.options({ prompt: async () => 'y' }));
    expect(await io.confirm('Proceed?', { assumeYes: false })).toBe(false);
    expect(await io.confirm('Proceed?', { assumeYes: true })).toBe(true);
    const tty = new HumanIoHost(s.options({ interactive: true, prompt: async () => 'yes' }));
    expect(await tty.confirm('Proceed?', { assumeYes: false })).toBe(true);
  });

  it('colors only when asked', async () => {
    const s = sinks();
    const io = new HumanIoHost(s.options({ color: true }));
    await io.step('x', async () => undefined);
    expect(s.err.join('')).toMatch(ANSI);
  });
});

describe('JsonIoHost', () => {
  it('prints exactly one JSON document on stdout; progress stays on stderr', async () => {
    const s = sinks();
    const io: IoHost = new JsonIoHost(s.options());
    await io.step('Check', async () => undefined);
    io.info('progress');
    io.warn('warning');
    io.result({ ok: true, list: [1, 2] }, () => 'HUMAN TEXT');
    const stdout = s.out.join('');
    expect(JSON.parse(stdout)).toEqual({ ok: true, list: [1, 2] });
    expect(stdout).not.toContain('HUMAN TEXT');
    expect(stdout).not.toContain('progress');
    expect(s.err.join('')).toContain('progress');
    expect(io.json).toBe(true);
  });
});

describe('RecordingIoHost', () => {
  it('records steps with updates, skips, failures, messages, results and scripted confirms', async () => {
    const io = new RecordingIoHost(true, false, [true, false]);
    await io.step('a', async (h) => {
      h.update('u1');
      h.done('d');
    });
    await io.step('b', async (h) => h.skip('why'));
    await io.step('c', async () => Promise.reject(new Error('x'))).catch(() => undefined);
    io.warn('w');
    io.result({ n: 1 }, (d) => `n=${d.n}`);
    io.out('raw\n');
    expect(await io.confirm('q1', { assumeYes: false })).toBe(true);
    expect(await io.confirm('q2', { assumeYes: false })).toBe(false);
    expect(await io.confirm('q3', { assumeYes: false })).toBe(false);
    expect(io.events.slice(0, 3)).toEqual([
      { type: 'step', title: 'a', status: 'done', detail: 'd', updates: ['u1'] },
      { type: 'step', title: 'b', status: 'skipped', detail: 'why', updates: [] },
      { type: 'step', title: 'c', status: 'failed', updates: [] },
    ]);
    expect(io.stdout()).toBe('n=1raw\n');
    expect(io.events.filter((e) => e.type === 'confirm').map((e) => (e as { answer: boolean }).answer)).toEqual([true, false, false]);
  });
});

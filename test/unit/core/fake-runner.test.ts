/** The strict fake runner other unit tests rely on: unexpected commands fail loudly. */
import { describe, expect, it } from 'vitest';
import { ExternalError } from '../../../src/core/errors.js';
import { FakeRunner, UnexpectedCommandError } from '../../helpers/fake-runner.js';

describe('FakeRunner', () => {
  it('answers scripted commands by exact argv, prefix, RegExp or predicate', async () => {
    const r = new FakeRunner([
      { match: ['docker', 'info'], stdout: 'exact' },
      { match: ['kind', '...'], stdout: 'prefix' },
      { match: /^helm version/, stdout: 'regexp' },
      { match: (argv) => argv[0] === 'kubectl', stdout: 'predicate' },
    ]);
    expect((await r.run({ argv: ['docker', 'info'], mutating: false })).stdout).toBe('exact');
    expect((await r.run({ argv: ['kind', 'get', 'clusters'], mutating: false })).stdout).toBe('prefix');
    expect((await r.run({ argv: ['helm', 'version', '--short'], mutating: false })).stdout).toBe('regexp');
    expect((await r.run({ argv: ['kubectl', 'get', 'nodes'], mutating: false })).stdout).toBe('predicate');
    expect(r.commandLines).toEqual(['docker info', 'kind get clusters', 'helm version --short', 'kubectl get nodes']);
  });

  it('fails on any unexpected command, listing what was expected', async () => {
    const r = new FakeRunner([{ match: ['docker', 'info'] }]);
    const error = await r.run({ argv: ['docker', 'ps'], mutating: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedCommandError);
    expect((error as Error).message).toContain('unexpected command: docker ps');
    expect((error as Error).message).toContain('  docker info');
  });

  it('`times` limits how often an entry answers; non-zero exits throw unless allowFailure', async () => {
    const r = new FakeRunner([
      { match: ['apt-get', 'update'], exitCode: 100, stderr: 'E: temporary failure', times: 1 },
      { match: ['apt-get', 'update'], stdout: 'ok' },
    ]);
    const first = await r.run({ argv: ['apt-get', 'update'], mutating: true }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ExternalError);
    expect((first as ExternalError).stderrTail).toBe('E: temporary failure');
    expect((await r.run({ argv: ['apt-get', 'update'], mutating: true })).stdout).toBe('ok');
    expect(r.mutatingCalls).toHaveLength(2);
  });

  it('dry-run: mutating commands are recorded, not answered; probes still need a script entry', async () => {
    const r = new FakeRunner([{ match: ['docker', 'info'], stdout: '{}' }], { dryRun: true });
    const res = await r.run({ argv: ['docker', 'rm', '-f', 'x'], mutating: true });
    expect(res.recorded).toBe(true);
    expect(r.plan.render()).toBe('1. $ docker rm -f x\n');
    expect((await r.run({ argv: ['docker', 'info'], mutating: false })).stdout).toBe('{}');
  });

  it('stream hands the scripted output over line by line', async () => {
    const r = new FakeRunner([{ match: ['kubectl', 'logs', '...'], stdout: 'a\nb\n', stderr: 'w\n' }]);
    const lines: string[] = [];
    await r.stream({ argv: ['kubectl', 'logs', 'pod'], mutating: false }, (l, s) => lines.push(`${s}:${l}`));
    expect(lines).toEqual(['stdout:a', 'stdout:b', 'stderr:w']);
  });
});

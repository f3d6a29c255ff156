import { describe, expect, it } from 'vitest';
import { Plan, shellQuote } from '../../../src/core/plan.js';

describe('Plan', () => {
  it('renders numbered actions in order, notes unnumbered, with root marks, env names, stdin and files', () => {
    const plan = new Plan(true);
    plan.note('host setup');
    plan.record({ kind: 'command', argv: ['apt-get', 'install', '-y', 'docker.io'], root: true, description: 'install Docker' });
    plan.record({ kind: 'command', argv: ['helm', 'upgrade', '--install', 'x', 'chart', '--set', 'a=b c'], root: false, envNames: ['HF_TOKEN'], stdin: 'line1\nline2\n' });
    plan.record({ kind: 'file', path: '/etc/docker/daemon.json', content: '{\n  "a": 1\n}\n', mode: 0o644, root: true });
    plan.record({ kind: 'delete-file', path: '/tmp/x', root: false });
    plan.record({ kind: 'manifest', verb: 'apply', object: 'Deployment default/vllm', yaml: 'kind: Deployment\n', target: 'kind-kindling' });
    expect(plan.render()).toBe(
      [
        '# host setup',
        '1. [root] $ apt-get install -y docker.io  # install Docker',
        "2. $ HF_TOKEN=… helm upgrade --install x chart --set 'a=b c'",
        '     <<stdin',
        '     line1',
        '     line2',
        '     stdin',
        '3. [root] write /etc/docker/daemon.json (mode 644)',
        '     {',
        '       "a": 1',
        '     }',
        '4. delete /tmp/x',
        '5. kubectl apply (kind-kindling) Deployment default/vllm',
        '     kind: Deployment',
        '',
      ].join('\n'),
    );
    expect(plan.mutatingCount).toBe(5);
    expect(plan.entries.every((e) => !e.executed)).toBe(true);
  });

  it('an empty plan renders nothing; a real run marks actions executed (notes never)', () => {
    expect(new Plan(true).render()).toBe('');
    const plan = new Plan(false);
    plan.note('n');
    plan.record({ kind: 'command', argv: ['true'], root: false });
    expect(plan.entries.map((e) => e.executed)).toEqual([false, true]);
    expect(plan.toJSON()).toEqual({ dryRun: false, actions: [{ kind: 'note', text: 'n' }, { kind: 'command', argv: ['true'], root: false }] });
  });

  it('quotes arguments like a POSIX shell needs them', () => {
    expect(shellQuote('plain-arg_1.2:3/x=y')).toBe('plain-arg_1.2:3/x=y');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('two words')).toBe("'two words'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('{{json .}}')).toBe("'{{json .}}'");
  });
});

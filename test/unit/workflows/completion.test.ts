import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { Redactor } from '../../../src/core/secrets.js';

async function kindling(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const cli = {
    env: { NO_COLOR: '1' },
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    stdin: new PassThrough(),
    redactor: new Redactor(),
    onSignal: () => () => undefined,
    forceExit: () => undefined,
  };
  const code = await main(['node', 'kindling', ...args], cli);
  return { code, out };
}

/** COMPREPLY of the generated bash function for a command line typed so far. */
function complete(script: string, words: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-completion-'));
  const file = join(dir, 'k.bash');
  writeFileSync(file, script);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _kindling; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

describe('kindling completion', () => {
  it('bash: commands, subcommands, options and choices from the program tree', async () => {
    const { code, out } = await kindling(['completion', 'bash']);
    expect(code).toBe(0);
    const top = complete(out, ['kindling', '']);
    for (const c of ['up', 'down', 'status', 'doctor', 'schema', 'completion']) expect(top).toContain(c);
    expect(complete(out, ['kindling', 'up', '--d'])).toEqual(['--dry-run']);
    expect(complete(out, ['kindling', 'up', '--num-gpus', '4', '--'])).toContain('--gpus-per-node');
    expect(complete(out, ['kindling', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(complete(out, ['kindling', '-v', 'down', '--p'])).toEqual(['--purge']);
    // globals are offered under subcommands too
    expect(complete(out, ['kindling', 'status', '--verb'])).toEqual(['--verbose']);
  });

  it('zsh and fish name every command and the up options', async () => {
    const zsh = (await kindling(['completion', 'zsh'])).out;
    expect(zsh.startsWith('#compdef kindling\n')).toBe(true);
    const fish = (await kindling(['completion', 'fish'])).out;
    for (const c of ['up', 'down', 'status', 'schema']) {
      expect(zsh).toContain(`${c}:`);
      expect(fish).toContain(`-a ${c} -d`);
    }
    expect(zsh).toContain('--num-gpus:');
    expect(fish).toContain("complete -c kindling -n '__fish_seen_subcommand_from up' -l num-gpus -r");
  });

  it('an unknown shell is a usage error', async () => {
    expect((await kindling(['completion', 'powershell'])).code).toBe(2);
  });
});

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('completion scripts parse in their shells (where installed: apt-get install zsh fish)', () => {
  it.skipIf(!has('zsh'))('zsh -n accepts it, and its tables hold the up options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-zsh-'));
    const file = join(dir, '_kindling');
    writeFileSync(file, (await kindling(['completion', 'zsh'])).out);
    execFileSync('zsh', ['-n', file]);
    const out = execFileSync('zsh', ['-c', `source ${file} 2>/dev/null; _kindling_init; print -r -- \${_kindling_vals[kindling up|--file]}; print -r -- \${_kindling_opts[kindling up]}`], { encoding: 'utf8' });
    expect(out.split('\n')[0]).toBe('__file__');
    expect(out).toContain('--dry-run:print the whole ordered plan');
  });

  it.skipIf(!has('fish'))('fish completes subcommands and options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-fish-'));
    const file = join(dir, 'kindling.fish');
    writeFileSync(file, (await kindling(['completion', 'fish'])).out);
    execFileSync('fish', ['-n', file]);
    const out = execFileSync('fish', ['-c', `source ${file}; complete -C 'kindling up --dry'; complete -C 'kindling completion '`], { encoding: 'utf8' });
    expect(out).toMatch(/^--dry-run\t/m);
    expect(out.split('\n').filter((l) => /^(bash|zsh|fish)$/.test(l.split('\t')[0] ?? '')).length).toBe(3);
  });
});

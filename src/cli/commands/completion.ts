/**
 * `kindling completion bash|zsh|fish`: a completion script generated from the program's command
 * tree (every command, option and choice registered with commander).
 */
import { Argument, type Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

/** Options whose value is a file path (completed with file names). */
const FILE_OPTIONS = new Set(['--file', '--kubeconfig', '--config-template', '--config-values', '--output']);

interface CommanderLike {
  name(): string;
  description(): string;
  commands: readonly CommanderLike[];
  options: readonly { long?: string; short?: string; description: string; required: boolean; optional: boolean; argChoices?: string[]; hidden: boolean; negate: boolean }[];
  registeredArguments: readonly { argChoices?: string[] }[];
  parent: CommanderLike | null;
  _hidden?: boolean;
}

export function registerCompletion(program: Command, cli: CliEnv): void {
  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish'] as const))
    .addHelpText(
      'after',
      `
Examples:
  $ echo 'source <(kindling completion bash)' >> ~/.bashrc
  $ kindling completion zsh > "\${fpath[1]}/_kindling"
  $ kindling completion fish > ~/.config/fish/completions/kindling.fish`,
    )
    .action(async (shell, _opts, cmd) => {
      const { completionScript } = await import('../../workflows/completion.js');
      let root = cmd as unknown as CommanderLike;
      while (root.parent) root = root.parent;
      cli.stdout.write(completionScript(shell, toNode(root)));
    });
}

function toNode(cmd: CommanderLike): import('../../workflows/completion.js').CommandNode {
  const options = cmd.options
    .filter((o) => !o.hidden)
    .map((o) => {
      const flags = [o.short, o.long].filter((f): f is string => typeof f === 'string');
      return {
        flags,
        description: o.description,
        takesValue: o.required || o.optional,
        ...(o.argChoices ? { choices: o.argChoices } : {}),
        ...(o.long && FILE_OPTIONS.has(o.long) ? { file: true } : {}),
      };
    });
  // commander's implicit help and version options.
  if (cmd.parent === null) options.push({ flags: ['-h', '--help'], description: 'show help', takesValue: false }, { flags: ['-V', '--version'], description: 'print the version', takesValue: false });
  return {
    name: cmd.name(),
    description: cmd.description(),
    options,
    commands: cmd.commands.filter((c) => !c._hidden).map(toNode),
    argChoices: cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
  };
}

/**
 * The ordered list of external effects of one kindling run. In --dry-run, mutating actions are
 * recorded here instead of happening, and the plan is printed; in a real run the same list is the
 * log of what was done (used by tests and `npm run bench` to count mutating commands).
 */
export type PlannedAction =
  | {
      kind: 'command';
      argv: string[];
      /** Redacted stdin, when the command reads one. */
      stdin?: string;
      /** Names (never values) of the environment variables passed to it. */
      envNames?: string[];
      /** Needs root: run through sudo when kindling is not root. */
      root: boolean;
      description?: string;
    }
  | { kind: 'file'; path: string; content: string; mode?: number; root: boolean; description?: string }
  | { kind: 'delete-file'; path: string; root: boolean; description?: string }
  | { kind: 'manifest'; verb: 'apply' | 'delete'; object: string; yaml: string; target?: string; description?: string }
  | { kind: 'note'; text: string };

export interface PlanEntry {
  action: PlannedAction;
  /** false in --dry-run: recorded, not done. */
  executed: boolean;
}

export class Plan {
  readonly entries: PlanEntry[] = [];
  constructor(readonly dryRun: boolean) {}

  record(action: PlannedAction): void {
    this.entries.push({ action, executed: !this.dryRun && action.kind !== 'note' });
  }

  note(text: string): void {
    this.record({ kind: 'note', text });
  }

  get mutatingCount(): number {
    return this.entries.filter((e) => e.action.kind !== 'note').length;
  }

  /** The plan as text, one numbered action after another (what --dry-run prints). */
  render(): string {
    const out: string[] = [];
    let n = 0;
    for (const { action } of this.entries) {
      if (action.kind === 'note') {
        out.push(`# ${action.text}`);
        continue;
      }
      n += 1;
      out.push(renderAction(n, action));
    }
    return out.join('\n') + (out.length > 0 ? '\n' : '');
  }

  toJSON(): { dryRun: boolean; actions: PlannedAction[] } {
    return { dryRun: this.dryRun, actions: this.entries.map((e) => e.action) };
  }
}

function renderAction(n: number, action: Exclude<PlannedAction, { kind: 'note' }>): string {
  const root = 'root' in action && action.root ? ' [root]' : '';
  const why = action.description ? `  # ${action.description}` : '';
  switch (action.kind) {
    case 'command': {
      const env = action.envNames && action.envNames.length > 0 ? `${action.envNames.map((k) => `${k}=…`).join(' ')} ` : '';
      const head = `${n}.${root} $ ${env}${action.argv.map(shellQuote).join(' ')}${why}`;
      return action.stdin === undefined ? head : `${head}\n${indentBlock(`<<stdin\n${action.stdin.replace(/\n$/, '')}\nstdin`)}`;
    }
    case 'file':
      return `${n}.${root} write ${action.path}${action.mode === undefined ? '' : ` (mode ${action.mode.toString(8)})`}${why}\n${indentBlock(action.content.replace(/\n$/, ''))}`;
    case 'delete-file':
      return `${n}.${root} delete ${action.path}${why}`;
    case 'manifest':
      return `${n}. kubectl ${action.verb}${action.target ? ` (${action.target})` : ''} ${action.object}${why}\n${indentBlock(action.yaml.replace(/\n$/, ''))}`;
  }
}

function indentBlock(text: string): string {
  return text
    .split('\n')
    .map((l) => `     ${l}`)
    .join('\n');
}

/** Quotes an argument for display the way a POSIX shell would need it. */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

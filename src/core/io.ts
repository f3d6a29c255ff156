/**
 * The io host: every progress line, step, warning and result of kindling goes through one IoHost.
 * Domain modules only see this interface; the CLI picks the renderer:
 * - HumanIoHost: steps with spinners and elapsed times on a TTY, plain lines otherwise;
 * - JsonIoHost (--json): the result as JSON on stdout, progress as plain lines on stderr;
 * - RecordingIoHost: records every message, for tests.
 * Results go to stdout; progress, warnings and errors to stderr.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createStyle, formatDuration, type Style } from './style.js';

export type StepStatus = 'done' | 'skipped' | 'failed';

export interface StepTiming {
  title: string;
  status: StepStatus;
  durationMs: number;
  detail?: string;
}

export interface StepHandle {
  /** Live detail shown beside the step (e.g. "downloading weights 42%"). */
  update(detail: string): void;
  /** Ends the step as already satisfied (shown as skipped, with why). */
  skip(reason: string): void;
  /** Sets the detail shown when the step ends. */
  done(detail: string): void;
}

export interface IoHost {
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly json: boolean;
  readonly style: Style;
  /** Runs fn as a named step: timed, shown with a spinner or a plain line; failures mark it failed. */
  step<T>(title: string, fn: (step: StepHandle) => Promise<T>): Promise<T>;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  /** Shown only with --verbose. */
  debug(message: string): void;
  /** The command's result: JSON of `data` with --json, else `render(data)`. */
  result<T>(data: T, render: (data: T) => string): void;
  /** Raw text to stdout (rendered YAML, a streamed answer). */
  out(text: string): void;
  /** Asks a yes/no question; `assumeYes` (--yes) answers it. Without a TTY and without --yes: false. */
  confirm(question: string, options: { assumeYes: boolean }): Promise<boolean>;
  /** Steps run so far, in order, with their durations. */
  timings(): StepTiming[];
}

export interface Writer {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface HostOptions {
  stdout: Writer;
  stderr: Writer;
  color: boolean;
  verbose: boolean;
  quiet: boolean;
  /** Spinner animation (TTY stderr and not CI). */
  interactive: boolean;
  prompt?: (question: string) => Promise<string>;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface ActiveStep {
  title: string;
  /** Nesting under the step whose work started this one (parallel siblings share a depth). */
  depth: number;
  detail: string;
  started: number;
  endStatus?: StepStatus;
  endDetail?: string;
}

/** Human output; also the base of the JSON host, which only changes `result`. */
export class HumanIoHost implements IoHost {
  readonly json: boolean = false;
  readonly style: Style;
  readonly verbose: boolean;
  readonly quiet: boolean;
  private readonly active: ActiveStep[] = [];
  private readonly done: StepTiming[] = [];
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private drawnLines = 0;
  private lastPlainUpdate = new Map<ActiveStep, number>();
  private readonly enclosing = new AsyncLocalStorage<ActiveStep>();

  constructor(protected readonly options: HostOptions) {
    this.style = createStyle(options.color);
    this.verbose = options.verbose;
    this.quiet = options.quiet;
  }

  async step<T>(title: string, fn: (step: StepHandle) => Promise<T>): Promise<T> {
    const parent = this.enclosing.getStore();
    const s: ActiveStep = { title, depth: parent ? parent.depth + 1 : 0, detail: '', started: performance.now() };
    const indent = '  '.repeat(s.depth);
    this.active.push(s);
    if (this.options.interactive && !this.quiet) this.startSpinner();
    else this.progress(`${indent}${this.style.dim('…')} ${title}`);
    const handle: StepHandle = {
      update: (detail) => {
        s.detail = detail;
        if (!this.options.interactive && !this.quiet && detail !== '') {
          // Plain output: at most one update line every 5 s per step, so logs stay readable.
          const now = performance.now();
          const last = this.lastPlainUpdate.get(s);
          if (last === undefined || now - last >= 5000) {
            this.lastPlainUpdate.set(s, now);
            this.progress(`${indent}  ${title}: ${detail}`);
          }
        }
      },
      skip: (reason) => {
        s.endStatus = 'skipped';
        s.endDetail = reason;
      },
      done: (detail) => {
        s.endDetail = detail;
      },
    };
    try {
      const value = await this.enclosing.run(s, () => fn(handle));
      this.finish(s, s.endStatus ?? 'done');
      return value;
    } catch (error) {
      this.finish(s, 'failed');
      throw error;
    }
  }

  private finish(s: ActiveStep, status: StepStatus): void {
    const durationMs = performance.now() - s.started;
    this.active.splice(this.active.indexOf(s), 1);
    this.lastPlainUpdate.delete(s);
    const detail = s.endDetail ?? (status === 'failed' ? s.detail : undefined);
    this.done.push({ title: s.title, status, durationMs, ...(detail ? { detail } : {}) });
    const mark =
      status === 'done' ? this.style.green('✓') : status === 'skipped' ? this.style.dim('○') : this.style.red('✗');
    const time = this.style.dim(`(${formatDuration(durationMs)})`);
    const extra = detail ? ` ${this.style.dim('— ' + detail)}` : '';
    this.clearSpinner();
    if (!this.quiet || status === 'failed') this.options.stderr.write(`${'  '.repeat(s.depth)}${mark} ${s.title}${extra} ${time}\n`);
    if (this.active.length === 0) this.stopSpinner();
    else this.draw();
  }

  info(message: string): void {
    this.progress(message);
  }

  success(message: string): void {
    this.progress(`${this.style.green('✓')} ${message}`);
  }

  warn(message: string): void {
    this.above(`${this.style.yellow('!')} ${message}\n`);
  }

  debug(message: string): void {
    if (this.verbose) this.above(`${this.style.dim(message)}\n`);
  }

  result<T>(data: T, render: (data: T) => string): void {
    const text = render(data);
    if (text !== '') this.out(text.endsWith('\n') ? text : `${text}\n`);
  }

  out(text: string): void {
    this.clearSpinner();
    this.options.stdout.write(text);
    this.draw();
  }

  async confirm(question: string, options: { assumeYes: boolean }): Promise<boolean> {
    if (options.assumeYes) return true;
    if (!this.options.prompt || !this.options.interactive) return false;
    this.clearSpinner();
    const answer = await this.options.prompt(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  }

  timings(): StepTiming[] {
    return [...this.done];
  }

  private progress(line: string): void {
    if (!this.quiet) this.above(`${line}\n`);
  }

  /** Writes a permanent line above the spinner block. */
  private above(text: string): void {
    this.clearSpinner();
    this.options.stderr.write(text);
    this.draw();
  }

  private startSpinner(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % SPINNER.length;
      this.clearSpinner();
      this.draw();
    }, 100);
    this.timer.unref();
    this.draw();
  }

  private stopSpinner(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private draw(): void {
    if (!this.timer || this.quiet) return;
    const width = this.options.stderr.columns ?? 100;
    const lines = this.active.map((s) => {
      const elapsed = this.style.dim(formatDuration(performance.now() - s.started));
      const detail = s.detail ? ` ${this.style.dim('· ' + s.detail)}` : '';
      const line = `${'  '.repeat(s.depth)}${this.style.cyan(SPINNER[this.frame] ?? '')} ${s.title}${detail} ${elapsed}`;
      return line.length > width + 40 ? line.slice(0, width + 40) : line;
    });
    this.options.stderr.write(lines.map((l) => `${l}\n`).join(''));
    this.drawnLines = lines.length;
  }

  private clearSpinner(): void {
    if (this.drawnLines === 0) return;
    this.options.stderr.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.drawnLines = 0;
  }
}

/** --json: stdout carries exactly one JSON document (the result); progress stays on stderr. */
export class JsonIoHost extends HumanIoHost {
  override readonly json = true;

  override result<T>(data: T): void {
    this.out(`${JSON.stringify(data, null, 2)}\n`);
  }
}

export type IoEvent =
  | { type: 'step'; title: string; status: StepStatus; detail?: string; updates: string[] }
  | { type: 'info' | 'success' | 'warn' | 'debug'; message: string }
  | { type: 'result'; data: unknown; text: string }
  | { type: 'out'; text: string }
  | { type: 'confirm'; question: string; answer: boolean };

/** For tests: records every message; `answers` scripts confirm(). */
export class RecordingIoHost implements IoHost {
  readonly events: IoEvent[] = [];
  readonly style = createStyle(false);
  readonly quiet = false;
  constructor(
    readonly verbose = true,
    readonly json = false,
    private readonly answers: boolean[] = [],
  ) {}

  async step<T>(title: string, fn: (step: StepHandle) => Promise<T>): Promise<T> {
    const event: Extract<IoEvent, { type: 'step' }> = { type: 'step', title, status: 'done', updates: [] };
    const handle: StepHandle = {
      update: (d) => event.updates.push(d),
      skip: (reason) => {
        event.status = 'skipped';
        event.detail = reason;
      },
      done: (d) => {
        event.detail = d;
      },
    };
    try {
      const v = await fn(handle);
      this.events.push(event);
      return v;
    } catch (e) {
      event.status = 'failed';
      this.events.push(event);
      throw e;
    }
  }
  info(message: string): void {
    this.events.push({ type: 'info', message });
  }
  success(message: string): void {
    this.events.push({ type: 'success', message });
  }
  warn(message: string): void {
    this.events.push({ type: 'warn', message });
  }
  debug(message: string): void {
    this.events.push({ type: 'debug', message });
  }
  result<T>(data: T, render: (data: T) => string): void {
    this.events.push({ type: 'result', data, text: render(data) });
  }
  out(text: string): void {
    this.events.push({ type: 'out', text });
  }
  async confirm(question: string, options: { assumeYes: boolean }): Promise<boolean> {
    const answer = options.assumeYes || (this.answers.shift() ?? false);
    this.events.push({ type: 'confirm', question, answer });
    return answer;
  }
  timings(): StepTiming[] {
    return this.events
      .filter((e): e is Extract<IoEvent, { type: 'step' }> => e.type === 'step')
      .map((e) => ({ title: e.title, status: e.status, durationMs: 0 }));
  }
  /** All text written to stdout (results and raw output). */
  stdout(): string {
    return this.events
      .map((e) => (e.type === 'out' ? e.text : e.type === 'result' ? e.text : ''))
      .join('');
  }
}

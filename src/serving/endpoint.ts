/**
 * Reaching a model: the LoadBalancer ingress from the Service status (cloud-provider-kind gives
 * kind Services a real IP on the kind network), a NodePort on a node's InternalIP, or — when the
 * LoadBalancer stays pending (WSL2, no LB controller) or the Service is not exposed — a
 * port-forward that kindling manages:
 *
 *   `kubectl port-forward service/<name> <port>:80 --address 127.0.0.1`, started detached through
 *   the runner (`/bin/sh -c 'trap "" HUP; … &'`, so it outlives this command), its pid and log in
 *   `<state dir>/port-forwards/`. A rerun reuses it when it still answers; `model delete` and
 *   `down` stop it (`stopPortForwards`). kubectl was chosen over an in-process client-node
 *   PortForward because the forward must outlive the kindling process, and a supervised kubectl
 *   is a process the user already knows how to inspect and kill. It forwards to one pod; when that
 *   pod is replaced, the next `kindling model deploy`/`chat` restarts it.
 *
 * Test hook (simulated host only): with KINDLING_SIM=1 in the environment, a Service annotation
 * `sim.kindling.dev/url` replaces the LoadBalancer address, so the sim's fake vLLM (on a random
 * loopback port) can stand behind the fake Service. Nothing sets either outside test/sim.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { ExitCode, UserError } from '../core/errors.js';
import type { KubeObject } from '../core/kube.js';
import type { ServingKube } from './kube-api.js';

export const SIM_URL_ANNOTATION = 'sim.kindling.dev/url';

export type EndpointVia = 'loadbalancer' | 'nodeport' | 'port-forward';

export interface ModelEndpoint {
  /** http://host[:port] — the OpenAI API is under /v1. */
  url: string;
  via: EndpointVia;
  /** Said plainly to the user, e.g. why a port-forward is used. */
  note?: string;
  /** Port-forward details. */
  pid?: number;
  logFile?: string;
}

export interface ServiceObj extends KubeObject {
  spec?: { type?: string; ports?: Array<{ port?: number; nodePort?: number }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface EndpointOptions {
  name: string;
  namespace: string;
  /** How long to wait for a LoadBalancer address before falling back to a port-forward. */
  lbWaitMs: number;
  /** kubeconfig context and file for kubectl port-forward. */
  context: string;
  kubeconfig?: string;
  pollMs?: number;
  /** Start a port-forward when needed (default true); false: report `undefined` instead. */
  portForward?: boolean;
}

/** The LB address of a Service, when it has one. */
export function loadBalancerUrl(svc: ServiceObj, env: NodeJS.ProcessEnv): string | undefined {
  const sim = env.KINDLING_SIM === '1' ? svc.metadata.annotations?.[SIM_URL_ANNOTATION] : undefined;
  const ingress = svc.status?.loadBalancer?.ingress?.[0];
  const host = ingress?.ip ?? ingress?.hostname;
  if (!host) return undefined;
  if (sim) return sim;
  const port = svc.spec?.ports?.[0]?.port ?? 80;
  return `http://${host.includes(':') ? `[${host}]` : host}${port === 80 ? '' : `:${port}`}`;
}

export async function findEndpoint(ctx: Context, kube: ServingKube, options: EndpointOptions): Promise<ModelEndpoint | undefined> {
  const svc = await kube.get<ServiceObj>('v1', 'Service', options.name, options.namespace);
  if (!svc) return undefined;
  const type = svc.spec?.type ?? 'ClusterIP';
  let note: string | undefined;
  if (type === 'LoadBalancer') {
    const deadline = Date.now() + options.lbWaitMs;
    let current: ServiceObj | undefined = svc;
    for (;;) {
      const url = current ? loadBalancerUrl(current, ctx.env) : undefined;
      if (url) return { url, via: 'loadbalancer' };
      if (Date.now() >= deadline || ctx.signal.aborted) break;
      await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
      current = await kube.get<ServiceObj>('v1', 'Service', options.name, options.namespace);
    }
    note = `The LoadBalancer of ${options.name} has no address after ${Math.round(options.lbWaitMs / 1000)}s (no LB controller running, or WSL2): using a port-forward managed by kindling instead.`;
  } else if (type === 'NodePort') {
    const nodePort = svc.spec?.ports?.[0]?.nodePort;
    const nodes = await kube.list<KubeObject & { status?: { addresses?: Array<{ type?: string; address?: string }> } }>('v1', 'Node');
    const ip = nodes.map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).find((a) => a !== undefined);
    if (nodePort && ip) return { url: `http://${ip}:${nodePort}`, via: 'nodeport' };
    note = `The NodePort of ${options.name} has no reachable node address: using a port-forward managed by kindling instead.`;
  } else {
    note = `${options.name} is not exposed outside the cluster (--expose none): using a port-forward managed by kindling.`;
  }
  if (options.portForward === false) return undefined;
  const pf = await ensurePortForward(ctx, options);
  return { ...pf, ...(note ? { note } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Port-forwards managed by kindling

interface PortForwardState {
  context: string;
  namespace: string;
  name: string;
  pid: number;
  port: number;
  logFile: string;
  startedAt: string;
}

function pfDir(ctx: Pick<Context, 'paths'>): string {
  return join(ctx.paths.stateDir, 'port-forwards');
}

function pfFile(ctx: Pick<Context, 'paths'>, context: string, namespace: string, name: string): string {
  return join(pfDir(ctx), `${context.replace(/[^A-Za-z0-9_.-]/g, '_')}__${namespace}__${name}.json`);
}

function readStates(ctx: Pick<Context, 'paths'>): Array<{ file: string; state: PortForwardState }> {
  const dir = pfDir(ctx);
  if (!existsSync(dir)) return [];
  const out: Array<{ file: string; state: PortForwardState }> = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push({ file: join(dir, f), state: JSON.parse(readFileSync(join(dir, f), 'utf8')) as PortForwardState });
    } catch {
      /* a torn file: ignored, overwritten by the next start */
    }
  }
  return out;
}

/** Does something accept TCP connections on 127.0.0.1:port? */
export function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** The forward of a model, reused when it still answers, else (re)started. */
export async function ensurePortForward(ctx: Context, options: EndpointOptions): Promise<ModelEndpoint> {
  const file = pfFile(ctx, options.context, options.namespace, options.name);
  if (existsSync(file)) {
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as PortForwardState;
      if (await portOpen(state.port)) {
        return { url: `http://127.0.0.1:${state.port}`, via: 'port-forward', pid: state.pid, logFile: state.logFile };
      }
    } catch {
      /* restarted below */
    }
  }
  const port = await freePort();
  const logFile = file.replace(/\.json$/, '.log');
  if (!ctx.dryRun) mkdirSync(pfDir(ctx), { recursive: true });
  const kubectl = [
    'kubectl',
    ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
    '--context',
    options.context,
    '--namespace',
    options.namespace,
    'port-forward',
    `service/${options.name}`,
    `${port}:80`,
    '--address',
    '127.0.0.1',
  ];
  const result = await ctx.runner.run({
    // A detached child that outlives kindling: SIGHUP ignored (what nohup does; inherited through
    // exec, and Go keeps an ignored SIGHUP ignored), an asynchronous list (SIGINT/SIGQUIT ignored
    // by POSIX sh), output to its log; its pid is echoed back.
    argv: ['/bin/sh', '-c', 'trap "" HUP; log=$1; shift; "$@" >"$log" 2>&1 </dev/null & echo $!', 'kindling-port-forward', logFile, ...kubectl],
    mutating: true,
    description: `port-forward 127.0.0.1:${port} → service/${options.name}:80 (kept running after kindling exits)`,
    fix: 'kindling host setup  # installs kubectl',
  });
  const url = `http://127.0.0.1:${port}`;
  if (result.recorded) return { url, via: 'port-forward', logFile };
  const pid = Number(result.stdout.trim().split('\n').pop());
  const state: PortForwardState = {
    context: options.context,
    namespace: options.namespace,
    name: options.name,
    pid,
    port,
    logFile,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return { url, via: 'port-forward', pid, logFile };
    await new Promise((r) => setTimeout(r, 200));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-5) : [];
  throw new UserError(`The port-forward to ${options.name} did not open 127.0.0.1:${port}.`, {
    details: log,
    fix: [`kubectl --context ${options.context} -n ${options.namespace} port-forward service/${options.name} 8000:80`],
    exitCode: ExitCode.failed,
  });
}

/** Stops kindling's port-forwards (all, or those of one model / context). Returns how many. */
export async function stopPortForwards(ctx: Context, filter: { context?: string; namespace?: string; name?: string } = {}): Promise<number> {
  let n = 0;
  for (const { file, state } of readStates(ctx)) {
    if (filter.context !== undefined && state.context !== filter.context) continue;
    if (filter.namespace !== undefined && state.namespace !== filter.namespace) continue;
    if (filter.name !== undefined && state.name !== filter.name) continue;
    if (Number.isInteger(state.pid) && state.pid > 1) {
      await ctx.runner.run({ argv: ['kill', String(state.pid)], mutating: true, allowFailure: true, description: `stop the port-forward to ${state.name}` });
    }
    if (!ctx.dryRun) {
      rmSync(file, { force: true });
      rmSync(state.logFile, { force: true });
    }
    n += 1;
  }
  return n;
}

/** Port-forwards kindling runs now (for status). */
export function listPortForwards(ctx: Pick<Context, 'paths'>): PortForwardState[] {
  return readStates(ctx).map((s) => s.state);
}

// ---------------------------------------------------------------------------------------------
// Smoke test

export interface SmokeResult {
  models: string[];
  answer: string;
  ms: number;
}

/** `/v1/models` lists the model, and one short chat completion answers. Throws UserError (exit 1). */
export async function smokeTest(url: string, model: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SmokeResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const fail = (what: string, detail: string): never => {
    throw new UserError(`Smoke test of ${url} failed: ${what}.`, {
      details: [detail],
      fix: [`curl ${url}/v1/models`, `kindling model logs ${model.split('/').pop()?.toLowerCase() ?? model}`],
      exitCode: ExitCode.failed,
    });
  };
  let models: string[] = [];
  try {
    const res = await fetch(`${url}/v1/models`, { signal });
    const text = await res.text();
    if (!res.ok) fail(`GET /v1/models answered ${res.status}`, text.slice(0, 300));
    models = ((JSON.parse(text) as { data?: Array<{ id?: string }> }).data ?? []).map((m) => m.id ?? '').filter((id) => id !== '');
  } catch (error) {
    if (error instanceof UserError) throw error;
    fail('GET /v1/models did not answer', (error as Error).message);
  }
  if (!models.includes(model)) fail(`the server does not list '${model}'`, `It lists: ${models.join(', ') || 'nothing'}.`);
  let answer = '';
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 32, temperature: 0 }),
      signal,
    });
    const text = await res.text();
    if (!res.ok) fail(`POST /v1/chat/completions answered ${res.status}`, text.slice(0, 300));
    const body = JSON.parse(text) as { choices?: Array<{ message?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null } }> };
    const msg = body.choices?.[0]?.message;
    answer = (msg?.content ?? '') || (msg?.reasoning_content ?? '') || (msg?.reasoning ?? '');
  } catch (error) {
    if (error instanceof UserError) throw error;
    fail('the chat completion did not answer', (error as Error).message);
  }
  if (answer.trim() === '') fail('the chat completion came back empty', 'No content in choices[0].message.');
  return { models, answer: answer.trim(), ms: performance.now() - started };
}

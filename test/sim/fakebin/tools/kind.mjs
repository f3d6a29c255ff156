// Fake `kind` (v0.32.0) of the simulated host. Clusters are node containers in the fake docker
// state (names <name>-control-plane, <name>-worker, <name>-worker2 …, labels io.x-k8s.kind.cluster
// and io.x-k8s.kind.role, the config's extraMounts as "host:container" mounts), as real kind does.
// When the test attached a fake API server (test/sim/fake-kube: <SIM_DIR>/fake-kube.json or
// SIM_KUBE_URL), `create cluster` registers the cluster and its Node objects there and writes the
// kubeconfig context kind-<name> pointing at it; `delete cluster` removes both.
// Output texts are kind's own (stderr for progress, as kind prints it).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { addContainer, dockerState, DAEMON_DOWN } from './docker.mjs';

const VERSION = 'v0.32.0';
// kind v0.32.0's default node image (the digest is not reproduced here: the fake never checks it).
const DEFAULT_IMAGE = 'kindest/node:v1.36.1';
const ok = (stdout = '', stderr = '', mutating = false) => ({ stdout, stderr, exitCode: 0, mutating });
const err = (stderr, exitCode = 1, mutating = false) => ({ stdout: '', stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, exitCode, mutating });

const CLUSTER_FIELDS = ['kind', 'apiVersion', 'name', 'nodes', 'networking', 'featureGates', 'runtimeConfig', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches', 'containerdConfigPatchesJSON6902'];
const NODE_FIELDS = ['role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902'];
const MOUNT_FIELDS = ['containerPath', 'hostPath', 'readOnly', 'selinuxRelabel', 'propagation'];

function flag(args, name) {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
}

function kubeUrl(sim, env) {
  if (env.SIM_KUBE_URL) return env.SIM_KUBE_URL;
  const file = join(sim.dir, 'fake-kube.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).url;
  return undefined;
}

function kubeconfigPath(env) {
  const first = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '');
  return first ?? join(env.HOME ?? '/root', '.kube', 'config');
}

function readKubeconfig(path) {
  return existsSync(path) ? parse(readFileSync(path, 'utf8')) ?? {} : {};
}

function writeContext(path, context, server) {
  const cfg = { apiVersion: 'v1', kind: 'Config', preferences: {}, ...readKubeconfig(path) };
  for (const key of ['clusters', 'users', 'contexts']) cfg[key] = (cfg[key] ?? []).filter((e) => e.name !== context);
  cfg.clusters.push({ name: context, cluster: { server, 'insecure-skip-tls-verify': true } });
  cfg.users.push({ name: context, user: { token: 'fake-kind-token' } });
  cfg.contexts.push({ name: context, context: { cluster: context, user: context } });
  cfg['current-context'] = context;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(cfg));
}

function removeContext(path, context) {
  if (!existsSync(path)) return;
  const cfg = readKubeconfig(path);
  for (const key of ['clusters', 'users', 'contexts']) cfg[key] = (cfg[key] ?? []).filter((e) => e.name !== context);
  if (cfg['current-context'] === context) cfg['current-context'] = '';
  writeFileSync(path, stringify(cfg));
}

export function clusterNodes(state, name) {
  return dockerState(state).containers.filter((c) => c.labels?.['io.x-k8s.kind.cluster'] === name);
}

function clusterNames(state) {
  return [...new Set(dockerState(state).containers.map((c) => c.labels?.['io.x-k8s.kind.cluster']).filter(Boolean))].sort();
}

/** kind's strict decoding (yaml.UnmarshalStrict): unknown fields are errors. */
function strictCheck(cfg) {
  const bad = (f) => `ERROR: failed to create cluster: unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field "${f}"`;
  for (const k of Object.keys(cfg ?? {})) if (!CLUSTER_FIELDS.includes(k)) return bad(k);
  for (const n of cfg?.nodes ?? []) {
    for (const k of Object.keys(n ?? {})) if (!NODE_FIELDS.includes(k)) return bad(k);
    for (const m of n.extraMounts ?? []) for (const k of Object.keys(m)) if (!MOUNT_FIELDS.includes(k)) return bad(k);
    for (const v of Object.values(n.labels ?? {})) if (typeof v !== 'string') return `ERROR: failed to create cluster: unable to decode config: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${typeof v === 'boolean' ? 'bool' : 'number'} into Go struct field Node.nodes.labels of type string`;
  }
  return undefined;
}

async function post(url, path, body, method = 'POST') {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake-kube admin ${method} ${path}: ${res.status}`);
  return res.json();
}

async function createCluster(call, sim) {
  const { args, env } = call;
  const state = sim.state;
  const d = dockerState(state);
  if (!d.running) return err(`ERROR: failed to create cluster: failed to ensure docker network: command "docker network ls --filter=name=^kind$ --format={{.Name}}" failed with error: exit status 1\nCommand Output: ${DAEMON_DOWN}`);
  let cfg = {};
  const configArg = flag(args, '--config');
  const text = configArg === '-' ? call.stdin : configArg ? (existsSync(configArg) ? readFileSync(configArg, 'utf8') : undefined) : '';
  if (text === undefined) return err(`ERROR: failed to create cluster: error reading file: open ${configArg}: no such file or directory`);
  try {
    cfg = text.trim() === '' ? {} : parse(text, { version: '1.1' });
  } catch (e) {
    return err(`ERROR: failed to create cluster: unable to decode config: ${e.message.split('\n')[0]}`);
  }
  const strict = strictCheck(cfg);
  if (strict) return err(strict);
  const name = flag(args, '--name') ?? cfg.name ?? 'kind';
  if (clusterNodes(state, name).length > 0) return err(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
  const nodes = cfg.nodes?.length ? cfg.nodes : [{ role: 'control-plane' }];
  const image = flag(args, '--image');
  const counters = { 'control-plane': 0, worker: 0 };
  if (!d.networks.includes('kind')) d.networks.push('kind');
  const created = [];
  for (const n of nodes) {
    const role = n.role ?? 'control-plane';
    counters[role] += 1;
    const nodeName = `${name}-${role}${counters[role] === 1 ? '' : counters[role]}`;
    const c = addContainer(state, {
      name: nodeName,
      image: image ?? n.image ?? DEFAULT_IMAGE,
      labels: { 'io.x-k8s.kind.cluster': name, 'io.x-k8s.kind.role': role },
      networkMode: 'kind',
      restartPolicy: 'on-failure:1',
      privileged: true,
      mounts: [...(n.extraMounts ?? []).map((m) => `${m.hostPath}:${m.containerPath}`), '/lib/modules:/lib/modules'],
    });
    c.kindNode = { role, labels: n.labels ?? {}, gpuCount: (state.gpus ?? []).length };
    created.push({ name: nodeName, role, labels: n.labels ?? {} });
  }
  const url = kubeUrl(sim, env);
  const context = `kind-${name}`;
  const server = url ? `${url}/clusters/${encodeURIComponent(name)}` : 'https://127.0.0.1:1';
  if (url) {
    await post(url, `/_sim/clusters/${encodeURIComponent(name)}`, { nodes: created.map((n) => ({ name: n.name, role: n.role, labels: n.labels })) });
  }
  writeContext(kubeconfigPath(env), context, server);
  state.kind ??= { clusters: {} };
  state.kind.clusters[name] = { config: text, created: new Date().toISOString() };
  const workers = created.filter((n) => n.role === 'worker').length;
  const stderr = [
    `Creating cluster "${name}" ...`,
    ` ✓ Ensuring node image (${(image ?? nodes[0].image ?? DEFAULT_IMAGE).split('@')[0]}) 🖼`,
    ` ✓ Preparing nodes ${created.map(() => '📦').join(' ')}  `,
    ' ✓ Writing configuration 📜 ',
    ' ✓ Starting control-plane 🕹️ ',
    ' ✓ Installing CNI 🔌 ',
    ' ✓ Installing StorageClass 💾 ',
    ...(workers > 0 ? [' ✓ Joining worker nodes 🚜 '] : []),
    `Set kubectl context to "${context}"`,
    'You can now use your cluster with:',
    '',
    `kubectl cluster-info --context ${context}`,
    '',
    'Have a nice day! 👋',
    '',
  ].join('\n');
  return ok('', stderr, true);
}

async function deleteCluster(call, sim) {
  const { args, env } = call;
  const state = sim.state;
  const name = flag(args, '--name') ?? 'kind';
  const nodes = clusterNodes(state, name);
  const d = dockerState(state);
  d.containers = d.containers.filter((c) => !nodes.includes(c));
  const url = kubeUrl(sim, env);
  if (url) await post(url, `/_sim/clusters/${encodeURIComponent(name)}`, undefined, 'DELETE').catch(() => undefined);
  removeContext(kubeconfigPath(env), `kind-${name}`);
  if (state.kind?.clusters) delete state.kind.clusters[name];
  // helm keeps releases as Secrets inside the cluster: they go with it (fake helm: state.helm.releases).
  for (const key of Object.keys(state.helm?.releases ?? {})) if (key.startsWith(`kind-${name}/`)) delete state.helm.releases[key];
  const stderr = `Deleting cluster "${name}" ...\n${nodes.length > 0 ? `Deleted nodes: [${nodes.map((n) => `"${n.name}"`).join(' ')}]\n` : ''}`;
  return ok('', stderr, true);
}

export async function handle(call, sim) {
  const [cmd, sub, ...rest] = call.args;
  const state = sim.state;
  if (cmd === 'version' || cmd === '--version') {
    const arch = state.os?.arch === 'aarch64' ? 'arm64' : 'amd64';
    return ok(`kind ${state.tools?.kind ?? VERSION} go1.24.3 linux/${arch}\n`);
  }
  if (cmd === 'create' && sub === 'cluster') return createCluster(call, sim);
  if (cmd === 'delete' && sub === 'cluster') return deleteCluster(call, sim);
  if (cmd === 'get' && sub === 'clusters') {
    const names = clusterNames(state);
    return names.length === 0 ? ok('', 'No kind clusters found.\n') : ok(names.map((n) => `${n}\n`).join(''));
  }
  if (cmd === 'get' && sub === 'nodes') {
    const name = flag(rest, '--name') ?? 'kind';
    const nodes = clusterNodes(state, name);
    // kind lists what docker ps returns; the order is not sorted numerically (worker10 before worker2).
    const names = nodes.map((n) => n.name).sort();
    return names.length === 0 ? ok('', `No kind nodes found for cluster "${name}".\n`) : ok(names.map((n) => `${n}\n`).join(''));
  }
  if (cmd === 'get' && sub === 'kubeconfig') {
    const name = flag(rest, '--name') ?? 'kind';
    if (clusterNodes(state, name).length === 0) return err(`ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`);
    const url = kubeUrl(sim, call.env);
    const cfg = { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [{ name: `kind-${name}`, cluster: { server: url ? `${url}/clusters/${name}` : 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }], users: [{ name: `kind-${name}`, user: { token: 'fake-kind-token' } }], contexts: [{ name: `kind-${name}`, context: { cluster: `kind-${name}`, user: `kind-${name}` } }], 'current-context': `kind-${name}` };
    return ok(stringify(cfg));
  }
  if (cmd === 'export' && sub === 'kubeconfig') {
    const name = flag(rest, '--name') ?? 'kind';
    if (clusterNodes(state, name).length === 0) return err(`ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`);
    const url = kubeUrl(sim, call.env);
    writeContext(kubeconfigPath(call.env), `kind-${name}`, url ? `${url}/clusters/${name}` : 'https://127.0.0.1:1');
    return ok('', `Set kubectl context to "kind-${name}"\n`, true);
  }
  return err(`ERROR: unknown command "${[cmd, sub].filter(Boolean).join(' ')}" for "kind"\nRun 'kind --help' for usage.`);
}

// Fake `helm` of the simulated host.
// - `helm version [--short]` (host setup, doctor): real shapes "v3.19.0+g3d8990f" / version.BuildInfo{…};
//   the version is state.tools.helm.
// - repositories: `repo list -o json` ([{name,url}]; `[]` when none, as helm ≥ 3.9 prints with -o json),
//   `repo add NAME URL`, `repo update [NAME]` — kept in state.helm.repos.
// - releases, kept in state.helm.releases["<context>/<namespace>/<name>"]: `list … -o json`
//   ([{name,namespace,revision,updated,status,chart,app_version}]), `get values NAME -o json`
//   (the user-supplied values, or "null"), `status NAME`, `uninstall NAME`, and
//   `upgrade --install NAME CHART --version V --namespace NS [--create-namespace] --values FILE`.
//   For nvidia/gpu-operator, install creates the objects the real chart would create that kindling
//   reads, in the fake API server of the context (~/.kube/config): the namespace and the ClusterPolicy
//   `cluster-policy` (spec from the values); the fake-kube plugin plugins/gpu-operator.ts then runs the
//   operator's timeline. Uninstall deletes the ClusterPolicy.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ok = (stdout = '', mutating = false) => ({ stdout, stderr: '', exitCode: 0, mutating });
const fail = (stderr, exitCode = 1, mutating = false) => ({ stdout: '', stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, exitCode, mutating });

const VALUE_FLAGS = new Set(['--namespace', '-n', '--version', '--values', '-f', '--kube-context', '--kubeconfig', '--filter', '-o', '--output', '--timeout', '--set', '--set-string']);

function parseArgs(args) {
  const flags = new Map();
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--') && a.includes('=')) {
      const [k, v] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
      flags.set(k, [...(flags.get(k) ?? []), v]);
    } else if (VALUE_FLAGS.has(a)) {
      flags.set(a, [...(flags.get(a) ?? []), args[i + 1]]);
      i++;
    } else if (a.startsWith('-')) flags.set(a, [...(flags.get(a) ?? []), 'true']);
    else pos.push(a);
  }
  const get = (...names) => names.flatMap((n) => flags.get(n) ?? []).at(-1);
  return { pos, get, has: (...names) => names.some((n) => flags.has(n)) };
}

function helmState(state) {
  state.helm ??= {};
  state.helm.repos ??= [];
  state.helm.releases ??= {};
  return state.helm;
}

function kubeconfigPath(call) {
  return call.env.KUBECONFIG?.split(':')[0] || join(call.env.HOME ?? '', '.kube', 'config');
}

/** Server URL of a context in the kubeconfig, or undefined. */
function serverOf(call, p) {
  const path = p.get('--kubeconfig') ?? kubeconfigPath(call);
  if (!existsSync(path)) return undefined;
  const cfg = parse(readFileSync(path, 'utf8')) ?? {};
  const ctxName = p.get('--kube-context') ?? cfg['current-context'];
  const ctx = (cfg.contexts ?? []).find((c) => c.name === ctxName);
  const cluster = (cfg.clusters ?? []).find((c) => c.name === ctx?.context?.cluster);
  return cluster?.cluster?.server;
}

function contextOf(call, p) {
  if (p.get('--kube-context')) return p.get('--kube-context');
  const path = p.get('--kubeconfig') ?? kubeconfigPath(call);
  if (!existsSync(path)) return '';
  return (parse(readFileSync(path, 'utf8')) ?? {})['current-context'] ?? '';
}

async function api(server, method, path, body, contentType = 'application/json') {
  const res = await fetch(`${server}${path}`, {
    method,
    headers: { 'content-type': contentType, authorization: 'Bearer fake-kube-token' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text };
}

async function apply(server, path, obj) {
  return api(server, 'PATCH', `${path}/${obj.metadata.name}?fieldManager=helm&force=true`, obj, 'application/apply-patch+yaml');
}

function helmTime(d = new Date()) {
  // helm list's "updated": Go time.Time String(), e.g. 2026-11-24 05:00:00.123456789 +0000 UTC
  return `${d.toISOString().replace('T', ' ').replace('Z', '')}000000 +0000 UTC`;
}

async function upgradeInstall(call, sim, p) {
  const [name, chart] = p.pos.slice(1);
  const ns = p.get('--namespace', '-n') ?? 'default';
  const context = contextOf(call, p);
  const server = serverOf(call, p);
  if (!server) return fail(`Error: kubernetes cluster unreachable: context "${context}" does not exist`);
  const h = helmState(sim.state);
  const [repo, chartName] = chart.includes('/') ? chart.split('/') : ['', chart];
  if (repo && !h.repos.some((r) => r.name === repo)) return fail(`Error: repo ${repo} not found`);
  const version = p.get('--version') ?? 'v26.3.3';
  const valuesFile = p.get('--values', '-f');
  let values = {};
  if (valuesFile) {
    const text = sim.readHostFile(valuesFile) ?? (existsSync(valuesFile) ? readFileSync(valuesFile, 'utf8') : undefined);
    if (text === undefined) return fail(`Error: open ${valuesFile}: no such file or directory`);
    values = parse(text) ?? {};
  }
  const nsRes = await api(server, 'GET', `/api/v1/namespaces/${ns}`);
  if (nsRes.status === 404) {
    if (!p.has('--create-namespace')) return fail(`Error: create: failed to create: namespaces "${ns}" not found`, 1, true);
    await apply(server, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  const key = `${context}/${ns}/${name}`;
  const existing = h.releases[key];
  const revision = existing ? Number(existing.revision) + 1 : 1;
  if (chartName === 'gpu-operator') {
    const spec = {
      operator: { runtimeClass: values.operator?.runtimeClass ?? 'nvidia' },
      driver: { enabled: values.driver?.enabled ?? true },
      toolkit: { enabled: values.toolkit?.enabled ?? true },
      cdi: { enabled: values.cdi?.enabled ?? true },
      dcgmExporter: { enabled: values.dcgmExporter?.enabled ?? true },
      migManager: { enabled: values.migManager?.enabled ?? true },
      devicePlugin: { enabled: true, ...(values.devicePlugin?.config?.name ? { config: { name: values.devicePlugin.config.name, default: values.devicePlugin.config.default ?? '' } } : {}) },
    };
    const r = await apply(server, '/apis/nvidia.com/v1/clusterpolicies', {
      apiVersion: 'nvidia.com/v1',
      kind: 'ClusterPolicy',
      metadata: { name: 'cluster-policy', labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': ns } },
      spec,
    });
    if (r.status >= 300) return fail(`Error: UPGRADE FAILED: ${r.text}`, 1, true);
  }
  h.releases[key] = {
    name,
    namespace: ns,
    revision: String(revision),
    updated: helmTime(),
    status: 'deployed',
    chart: `${chartName}-${version}`,
    app_version: version,
    values,
  };
  const head = existing ? `Release "${name}" has been upgraded. Happy Helming!\n` : `Release "${name}" does not exist. Installing it now.\n`;
  return ok(`${head}NAME: ${name}\nLAST DEPLOYED: ${new Date().toUTCString()}\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: ${revision}\nTEST SUITE: None\n`, true);
}

export async function handle(call, sim) {
  const args = call.args;
  const p = parseArgs(args);
  const h = helmState(sim.state);
  const [verb, sub] = p.pos;

  if (verb === 'version') {
    const v = sim.state.tools.helm;
    if (args.includes('--short')) return ok(`${v}+g3d8990f\n`);
    return ok(`version.BuildInfo{Version:"${v}", GitCommit:"3d8990f0836691f0229297773f3524598f46bda6", GitTreeState:"clean", GoVersion:"go1.24.7"}\n`);
  }

  if (verb === 'repo') {
    if (sub === 'list' || sub === 'ls') {
      if ((p.get('-o', '--output') ?? 'table') === 'json') return ok(`${JSON.stringify(h.repos.map(({ name, url }) => ({ name, url })))}\n`);
      if (h.repos.length === 0) return fail('Error: no repositories to show');
      return ok(`NAME\tURL\n${h.repos.map((r) => `${r.name}\t${r.url}`).join('\n')}\n`);
    }
    if (sub === 'add') {
      const [name, url] = p.pos.slice(2);
      const existing = h.repos.find((r) => r.name === name);
      if (existing && existing.url === url) return ok(`"${name}" already exists with the same configuration, skipping\n`, true);
      if (existing && !p.has('--force-update')) return fail(`Error: repository name (${name}) already exists, please specify a different name`, 1, true);
      h.repos = h.repos.filter((r) => r.name !== name).concat([{ name, url }]);
      return ok(`"${name}" has been added to your repositories\n`, true);
    }
    if (sub === 'update') {
      const names = p.pos.slice(2);
      const list = names.length ? h.repos.filter((r) => names.includes(r.name)) : h.repos;
      return ok(`Hang tight while we grab the latest from your chart repositories...\n${list.map((r) => `...Successfully got an update from the "${r.name}" chart repository\n`).join('')}Update Complete. ⎈Happy Helming!⎈\n`, true);
    }
  }

  const context = contextOf(call, p);
  if ((verb === 'list' || verb === 'ls' || verb === 'get' || verb === 'status' || verb === 'uninstall' || verb === 'upgrade' || verb === 'rollback') && !serverOf(call, p)) {
    return fail(`Error: kubernetes cluster unreachable: context "${context}" does not exist`);
  }
  const ns = p.get('--namespace', '-n') ?? 'default';

  if (verb === 'list' || verb === 'ls') {
    if (args.includes('--all')) return fail('Error: unknown flag: --all');
    const filter = p.get('--filter', '-f');
    const re = filter ? new RegExp(filter) : undefined;
    const rows = Object.entries(h.releases)
      .filter(([k, r]) => k.startsWith(`${context}/${ns}/`) && (!re || re.test(r.name)))
      .map(([, { values: _v, ...r }]) => r);
    return ok(`${JSON.stringify(rows)}\n`);
  }
  if (verb === 'get' && sub === 'values') {
    const name = p.pos[2];
    const r = h.releases[`${context}/${ns}/${name}`];
    if (!r) return fail('Error: release: not found');
    return ok(`${Object.keys(r.values ?? {}).length ? JSON.stringify(r.values) : 'null'}\n`);
  }
  if (verb === 'status') {
    const name = p.pos[1];
    const r = h.releases[`${context}/${ns}/${name}`];
    if (!r) return fail('Error: release: not found');
    return ok(`NAME: ${name}\nLAST DEPLOYED: ${r.updated}\nNAMESPACE: ${ns}\nSTATUS: ${r.status}\nREVISION: ${r.revision}\nTEST SUITE: None\n`);
  }
  if (verb === 'uninstall') {
    const name = p.pos[1];
    const key = `${context}/${ns}/${name}`;
    const r = h.releases[key];
    if (!r) return fail(`Error: uninstall: Release not loaded: ${name}: release: not found`, 1, true);
    if (r.chart.startsWith('gpu-operator-')) await api(serverOf(call, p), 'DELETE', '/apis/nvidia.com/v1/clusterpolicies/cluster-policy');
    delete h.releases[key];
    return ok(`release "${name}" uninstalled\n`, true);
  }
  if (verb === 'upgrade' && p.has('--install', '-i')) return upgradeInstall(call, sim, p);
  return fail(`sim: helm ${args.join(' ')} is not simulated yet`);
}

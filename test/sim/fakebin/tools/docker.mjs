// Fake `docker` of the simulated host: a small container model kept in state.docker
// ({ running, version, rootless, desktop, storageRoot, runtimes, defaultRuntime, images[], containers[], networks[] }).
// Answers use the real output shapes of the docker CLI 28 client (captured against a real daemon:
// test/fixtures/docker/*); error texts are the real ones.
//
// Other handlers may import the helpers exported here (addContainer, findContainer, inspectContainer,
// applyDaemonJson, renderTemplate …), e.g. a fake `kind` creating node containers.
// `docker exec` / `docker cp` are delegated to ./docker-exec.mjs when it exists (kind node emulation).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SOCK = 'unix:///var/run/docker.sock';
export const DAEMON_DOWN = `Cannot connect to the Docker daemon at ${SOCK}. Is the docker daemon running?`;
const API = '1.50';
const ok = (stdout = '', mutating = false) => ({ stdout, stderr: '', exitCode: 0, mutating });
const err = (stderr, exitCode = 1, mutating = false, stdout = '') => ({ stdout, stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, exitCode, mutating });

// ---------------------------------------------------------------- helpers other fakes may use

export function dockerState(state) {
  state.docker.images ??= [];
  state.docker.containers ??= [];
  state.docker.networks ??= ['bridge', 'host', 'none'];
  state.docker.pulls ??= [];
  return state.docker;
}

/** Canonical image reference: docker.io/library/ stripped, ':latest' added when there is no tag or digest. */
export function normalizeImage(ref) {
  let r = ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '').replace(/^library\//, '');
  const last = r.split('/').pop() ?? r;
  if (!last.includes(':') && !r.includes('@')) r += ':latest';
  return r;
}

export function hasImage(state, ref) {
  const want = normalizeImage(ref);
  return dockerState(state).images.some((i) => normalizeImage(i) === want || i === ref);
}

export function fakeId(seed) {
  return createHash('sha256').update(String(seed)).digest('hex');
}

export function findContainer(state, ref) {
  const cs = dockerState(state).containers;
  return (
    cs.find((c) => c.name === ref || `/${c.name}` === ref || c.id === ref) ??
    (ref.length >= 3 ? cs.find((c) => c.id.startsWith(ref)) : undefined)
  );
}

const SUBNETS = { bridge: ['172.17.0.0/16', '172.17.0.1'], kind: ['172.18.0.0/16', '172.18.0.1'] };
function subnetOf(state, network) {
  if (SUBNETS[network]) return SUBNETS[network];
  const i = dockerState(state).networks.indexOf(network);
  return [`172.${19 + Math.max(0, i)}.0.0/16`, `172.${19 + Math.max(0, i)}.0.1`];
}

function allocateIp(state, network) {
  if (network === 'host' || network === 'none') return '';
  const [, gateway] = subnetOf(state, network);
  const prefix = gateway.split('.').slice(0, 3).join('.');
  const used = new Set(dockerState(state).containers.filter((c) => (c.networkMode ?? 'bridge') === network).map((c) => c.ip));
  for (let n = 2; n < 255; n++) if (!used.has(`${prefix}.${n}`)) return `${prefix}.${n}`;
  return `${prefix}.254`;
}

/** Adds a container to the model (kind nodes, the LB controller …) and returns it. */
export function addContainer(state, spec) {
  const d = dockerState(state);
  const networkMode = spec.networkMode ?? 'bridge';
  if (networkMode !== 'host' && networkMode !== 'none' && networkMode !== 'bridge' && !d.networks.includes(networkMode)) d.networks.push(networkMode);
  const c = {
    id: spec.id ?? fakeId(`${spec.name}:${Date.now()}:${Math.random()}`),
    name: spec.name,
    image: spec.image,
    labels: spec.labels ?? {},
    running: spec.running ?? true,
    exitCode: 0,
    restartPolicy: spec.restartPolicy ?? 'no',
    networkMode,
    mounts: spec.mounts ?? [],
    env: spec.env ?? [],
    cmd: spec.cmd ?? [],
    ip: spec.ip ?? allocateIp(state, networkMode),
    created: spec.created ?? new Date().toISOString(),
    ...(spec.runtime ? { runtime: spec.runtime } : {}),
    ...(spec.privileged ? { privileged: true } : {}),
    logs: spec.logs ?? '',
  };
  d.containers.push(c);
  return c;
}

/** Applies /etc/docker/daemon.json to the daemon model (what a `systemctl restart docker` does). */
export function applyDaemonJson(sim) {
  const d = dockerState(sim.state);
  const text = sim.readHostFile('/etc/docker/daemon.json');
  let cfg = {};
  try {
    cfg = text ? JSON.parse(text) : {};
  } catch {
    return { ok: false, error: 'unable to configure the Docker daemon with file /etc/docker/daemon.json: invalid character' };
  }
  const runtimes = new Set(['io.containerd.runc.v2', 'runc', ...Object.keys(cfg.runtimes ?? {})]);
  d.runtimes = [...runtimes].sort();
  d.defaultRuntime = cfg['default-runtime'] ?? 'runc';
  if (cfg['data-root']) d.storageRoot = cfg['data-root'];
  return { ok: true };
}

/** Whether the daemon answers this caller: running, and root / docker group / rootless. */
function daemonError(state) {
  const d = dockerState(state);
  if (!d.running) return DAEMON_DOWN;
  const u = state.user ?? { uid: 0, groups: [] };
  if (u.uid !== 0 && !d.rootless && !(u.groups ?? []).includes('docker')) {
    return `permission denied while trying to connect to the Docker daemon socket at ${SOCK}: Get "http://%2Fvar%2Frun%2Fdocker.sock/v${API}/info": dial unix /var/run/docker.sock: connect: permission denied`;
  }
  return undefined;
}

// ---------------------------------------------------------------- Go-template subset

function lookup(obj, path) {
  let v = obj;
  for (const part of path.split('.').filter((p) => p !== '')) {
    if (v === null || v === undefined) return undefined;
    v = v[part];
  }
  return v;
}

function goString(v) {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goString(v[k])}`).join(' ')}]`;
  return String(v);
}

function parseArgs(text) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m;
  while ((m = re.exec(text))) out.push(m[1] !== undefined ? { lit: m[1] } : { ref: m[2] });
  return out;
}

function evalExpr(expr, dot, root) {
  const e = expr.trim();
  const value = (tok) => {
    if (tok.lit !== undefined) return tok.lit;
    if (tok.ref === '.') return dot;
    if (tok.ref.startsWith('$.')) return lookup(root, tok.ref.slice(1));
    if (tok.ref.startsWith('.')) return lookup(dot, tok.ref);
    if (/^\d+$/.test(tok.ref)) return Number(tok.ref);
    return undefined;
  };
  const toks = parseArgs(e);
  const head = toks[0];
  if (!head) return '';
  if (head.ref === 'json') return JSON.stringify(value(toks[1] ?? { ref: '.' }) ?? null);
  if (head.ref === 'index') {
    let v = value(toks[1]);
    for (const t of toks.slice(2)) v = v == null ? undefined : v[value(t)];
    return v;
  }
  if (head.ref === 'lower') return String(value(toks[1]) ?? '').toLowerCase();
  if (head.ref === 'upper') return String(value(toks[1]) ?? '').toUpperCase();
  if (head.ref === 'join') return (value(toks[1]) ?? []).join(value(toks[2]) ?? '');
  // method call on a ps row: {{.Label "key"}}
  if (head.ref === '.Label' && toks[1]?.lit !== undefined) return (dot.__labels ?? {})[toks[1].lit] ?? '';
  return value(head);
}

/** Renders a docker --format template (fields, index, json, range … end, if … end) against `obj`. */
export function renderTemplate(template, obj) {
  const tpl = template.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const tokens = tpl.split(/(\{\{-?.*?-?\}\})/s);
  const [out] = renderTokens(tokens, 0, obj, obj);
  return out;
}

function renderTokens(tokens, start, dot, root) {
  let out = '';
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i];
    if (!t.startsWith('{{')) {
      out += t;
      i++;
      continue;
    }
    const body = t.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
    if (body === 'end' || body === 'else') return [out, i];
    if (body.startsWith('range ')) {
      const coll = evalExpr(body.slice(6), dot, root);
      const items = Array.isArray(coll) ? coll : coll && typeof coll === 'object' ? Object.keys(coll).sort().map((k) => coll[k]) : [];
      let endAt = i + 1;
      if (items.length === 0) {
        const [, e] = renderTokens(tokens, i + 1, dot, root);
        endAt = e;
      }
      for (const item of items) {
        const [s, e] = renderTokens(tokens, i + 1, item, root);
        out += s;
        endAt = e;
      }
      i = endAt + 1;
      continue;
    }
    if (body.startsWith('if ')) {
      const cond = evalExpr(body.slice(3), dot, root);
      const truthy = Array.isArray(cond) ? cond.length > 0 : cond && typeof cond === 'object' ? Object.keys(cond).length > 0 : Boolean(cond);
      const [a, e1] = renderTokens(tokens, i + 1, dot, root);
      let endAt = e1;
      let b = '';
      if ((tokens[e1] ?? '').includes('else')) {
        const [bb, e2] = renderTokens(tokens, e1 + 1, dot, root);
        b = bb;
        endAt = e2;
      }
      out += truthy ? a : b;
      i = endAt + 1;
      continue;
    }
    const v = evalExpr(body, dot, root);
    out += typeof v === 'string' ? v : goString(v);
    i++;
  }
  return [out, i];
}

// ---------------------------------------------------------------- object shapes

const short = (id) => id.slice(0, 12);

function labelsText(labels) {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}

function psRow(c) {
  const status = c.running ? 'Up 5 minutes' : `Exited (${c.exitCode ?? 0}) 1 minute ago`;
  return {
    Command: JSON.stringify((c.cmd ?? []).join(' ')),
    CreatedAt: (c.created ?? '').replace('T', ' ').replace(/\.\d+Z$|Z$/, ' +0000 UTC'),
    ID: short(c.id),
    Image: c.image,
    Labels: labelsText(c.labels),
    LocalVolumes: '0',
    Mounts: (c.mounts ?? []).map((m) => m.split(':')[0]).join(','),
    Names: c.name,
    Networks: c.networkMode ?? 'bridge',
    Platform: null,
    Ports: '',
    RunningFor: '5 minutes ago',
    Size: '0B',
    State: c.running ? 'running' : 'exited',
    Status: status,
  };
}

export function inspectContainer(state, c) {
  const net = c.networkMode ?? 'bridge';
  const [subnet, gateway] = subnetOf(state, net);
  const networks = net === 'none' ? {} : {
    [net]: {
      IPAMConfig: null,
      Links: null,
      Aliases: null,
      NetworkID: fakeId(`net:${net}`),
      EndpointID: fakeId(`ep:${c.id}`),
      Gateway: net === 'host' ? '' : gateway,
      IPAddress: c.ip ?? '',
      IPPrefixLen: net === 'host' ? 0 : Number(subnet.split('/')[1]),
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      MacAddress: net === 'host' ? '' : '02:42:ac:11:00:02',
      DriverOpts: null,
    },
  };
  const mounts = (c.mounts ?? []).map((m) => {
    const [source, destination, mode = ''] = m.split(':');
    return { Type: 'bind', Source: source, Destination: destination, Mode: mode, RW: !mode.includes('ro'), Propagation: 'rprivate' };
  });
  return {
    Id: c.id,
    Created: c.created,
    Path: (c.cmd ?? [])[0] ?? '',
    Args: (c.cmd ?? []).slice(1),
    State: {
      Status: c.running ? 'running' : 'exited',
      Running: Boolean(c.running),
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: c.running ? 4242 : 0,
      ExitCode: c.exitCode ?? 0,
      Error: '',
      StartedAt: c.created,
      FinishedAt: c.running ? '0001-01-01T00:00:00Z' : c.created,
    },
    Image: `sha256:${fakeId(`img:${normalizeImage(c.image)}`)}`,
    Name: `/${c.name}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    HostConfig: {
      Binds: c.mounts ?? [],
      NetworkMode: net === 'bridge' ? 'default' : net,
      RestartPolicy: { Name: c.restartPolicy ?? 'no', MaximumRetryCount: 0 },
      Privileged: Boolean(c.privileged),
      Runtime: c.runtime ?? dockerState(state).defaultRuntime ?? 'runc',
    },
    Mounts: mounts,
    Config: {
      Hostname: c.hostname ?? short(c.id),
      Env: c.env ?? [],
      Cmd: c.cmd ?? [],
      Image: c.image,
      Labels: c.labels ?? {},
    },
    NetworkSettings: { Networks: networks, Ports: {} },
  };
}

function inspectImage(ref) {
  const id = `sha256:${fakeId(`img:${normalizeImage(ref)}`)}`;
  return {
    Id: id,
    RepoTags: [normalizeImage(ref)],
    RepoDigests: [],
    Parent: '',
    Comment: '',
    Created: '2026-11-01T00:00:00Z',
    Config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/bash'], Labels: null },
    Architecture: 'amd64',
    Os: 'linux',
    Size: 78_000_000,
    RootFS: { Type: 'layers', Layers: [`sha256:${fakeId(`layer:${ref}`)}`] },
  };
}

function inspectNetwork(state, name) {
  const [subnet, gateway] = subnetOf(state, name);
  const containers = {};
  for (const c of dockerState(state).containers.filter((c) => (c.networkMode ?? 'bridge') === name && c.running)) {
    containers[c.id] = { Name: c.name, EndpointID: fakeId(`ep:${c.id}`), MacAddress: '02:42:ac:11:00:02', IPv4Address: `${c.ip}/${subnet.split('/')[1]}`, IPv6Address: '' };
  }
  const driver = name === 'host' ? 'host' : name === 'none' ? 'null' : 'bridge';
  return {
    Name: name,
    Id: fakeId(`net:${name}`),
    Created: '2026-11-24T05:33:33.881068284Z',
    Scope: 'local',
    Driver: driver,
    EnableIPv6: name === 'kind',
    IPAM: { Driver: 'default', Options: null, Config: driver === 'bridge' ? [{ Subnet: subnet, Gateway: gateway }] : [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: name === 'kind' ? { 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.driver.mtu': '1500' } : {},
    Labels: {},
  };
}

function infoObject(state) {
  const d = dockerState(state);
  const running = d.containers.filter((c) => c.running).length;
  const rootless = Boolean(d.rootless);
  return {
    ID: 'ET52:ZHS5:AC4V:L7BS:W74E:5R43:XQWG:76N5:Z7EQ:WDMK:UUHA:JYAO',
    Containers: d.containers.length,
    ContainersRunning: running,
    ContainersPaused: 0,
    ContainersStopped: d.containers.length - running,
    Images: d.images.length,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true'], ['userxattr', String(rootless)]],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'], Authorization: null, Log: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'splunk', 'syslog'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: false,
    NFd: 26,
    OomKillDisable: false,
    NGoroutines: 45,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: state.os?.cgroup === 'v1' ? 'cgroupfs' : 'systemd',
    CgroupVersion: state.os?.cgroup === 'v1' ? '1' : '2',
    NEventsListener: 0,
    KernelVersion: d.desktop ? '6.10.14-linuxkit' : state.os?.kernel ?? '6.8.0-85-generic',
    OperatingSystem: d.desktop ? 'Docker Desktop' : state.os?.prettyName ?? 'Ubuntu 24.04.3 LTS',
    OSVersion: d.desktop ? '' : state.os?.versionId ?? '24.04',
    OSType: 'linux',
    Architecture: state.os?.arch ?? 'x86_64',
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: { 'docker.io': { Mirrors: [], Name: 'docker.io', Official: true, Secure: true } }, InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'], Mirrors: [] },
    NCPU: 64,
    MemTotal: (state.memoryKiB ?? 0) * 1024,
    GenericResources: null,
    DockerRootDir: d.storageRoot ?? '/var/lib/docker',
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: 'gpu-host',
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: d.version,
    Runtimes: Object.fromEntries((d.runtimes ?? []).map((r) => [r, { path: r === 'nvidia' ? 'nvidia-container-runtime' : 'runc', ...(r === 'nvidia' ? { runtimeArgs: [] } : {}) }])),
    DefaultRuntime: d.defaultRuntime ?? 'runc',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: 'docker-init',
    ContainerdCommit: { ID: '1.7.27' },
    RuncCommit: { ID: '1.2.5' },
    InitCommit: { ID: '' },
    SecurityOptions: rootless ? ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'] : ['name=apparmor', 'name=seccomp,profile=builtin', 'name=cgroupns'],
    CDISpecDirs: ['/etc/cdi', '/var/run/cdi'],
    Warnings: null,
    ClientInfo: clientInfo(state),
  };
}

function clientInfo(state) {
  return { Debug: false, Version: dockerState(state).version, DefaultAPIVersion: API, GitCommit: 'e6534b4', GoVersion: 'go1.24.3', Os: 'linux', Arch: 'amd64', BuildTime: 'Fri May 30 12:07:14 2025', Context: 'default', Plugins: [], Warnings: null };
}

/** `docker info --format '{{json .}}'` with the daemon down: empty server fields, ClientInfo filled. */
function emptyInfo(state) {
  const info = infoObject(state);
  const out = {};
  for (const [k, v] of Object.entries(info)) {
    out[k] = typeof v === 'number' ? 0 : typeof v === 'boolean' ? false : typeof v === 'string' ? '' : v === null ? null : Array.isArray(v) ? null : v;
  }
  out.Plugins = { Volume: null, Network: null, Authorization: null, Log: null };
  out.Runtimes = null;
  out.RegistryConfig = null;
  out.Swarm = { NodeID: '', NodeAddr: '', LocalNodeState: '', ControlAvailable: false, Error: '', RemoteManagers: null };
  out.ContainerdCommit = { ID: '' };
  out.RuncCommit = { ID: '' };
  out.InitCommit = { ID: '' };
  out.ClientInfo = clientInfo(state);
  return out;
}

function infoText(state) {
  const i = infoObject(state);
  return [
    'Client:',
    ` Version:    ${i.ClientInfo.Version}`,
    ' Context:    default',
    ' Debug Mode: false',
    '',
    'Server:',
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    '  Paused: 0',
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ` Runtimes: ${Object.keys(i.Runtimes).join(' ')}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ' Security Options:',
    ...i.SecurityOptions.map((o) => `  ${o.replace(/^name=/, '').split(',')[0]}`),
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Docker Root Dir: ${i.DockerRootDir}`,
    '',
  ].join('\n');
}

function versionObject(state, server) {
  const d = dockerState(state);
  return {
    Client: { Version: d.version, ApiVersion: API, DefaultAPIVersion: API, GitCommit: 'e6534b4', GoVersion: 'go1.24.3', Os: 'linux', Arch: 'amd64', BuildTime: 'Fri May 30 12:07:14 2025', Context: 'default' },
    Server: server
      ? {
          Platform: { Name: d.desktop ? 'Docker Desktop' : '' },
          Components: [{ Name: 'Engine', Version: d.version, Details: { ApiVersion: API, Arch: 'amd64', Os: 'linux' } }],
          Version: d.version,
          ApiVersion: API,
          MinAPIVersion: '1.24',
          GitCommit: '263a6bc',
          GoVersion: 'go1.24.3',
          Os: 'linux',
          Arch: 'amd64',
          KernelVersion: state.os?.kernel ?? '',
        }
      : null,
  };
}

// ---------------------------------------------------------------- argument parsing

const VALUE_FLAGS = new Set([
  '--name', '--label', '-l', '--restart', '--network', '--net', '-v', '--volume', '-e', '--env', '-p', '--publish', '--runtime',
  '--entrypoint', '--hostname', '-h', '--security-opt', '--tmpfs', '--gpus', '--cap-add', '--cap-drop', '--pid', '--ipc', '--user', '-u',
  '-w', '--workdir', '--pull', '--format', '-f', '--filter', '--type', '--tail', '--since', '--until', '--mount', '--device', '--shm-size',
  '--memory', '-m', '--cpus', '--log-driver', '--log-opt', '--platform', '--add-host', '--stop-signal', '--cgroupns', '--env-file', '--subnet', '--gateway', '--driver',
]);

/** Splits args into options (name → values[]) and positionals; `valueFlags` lists flags taking a value. */
function parseOptions(args, valueFlags, stopAtFirstPositional = false) {
  const opts = new Map();
  const pos = [];
  const add = (k, v) => opts.set(k, [...(opts.get(k) ?? []), v]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (stopAtFirstPositional && pos.length > 0) {
      pos.push(a);
      continue;
    }
    if (a === '--') {
      pos.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.includes('=')) {
      const eq = a.indexOf('=');
      add(a.slice(0, eq), a.slice(eq + 1));
    } else if (a.startsWith('-') && a.length > 1) {
      if (valueFlags.has(a)) {
        add(a, args[i + 1] ?? '');
        i++;
      } else if (/^-[a-zA-Z]{2,}$/.test(a)) {
        for (const ch of a.slice(1)) add(`-${ch}`, true);
      } else add(a, true);
    } else pos.push(a);
  }
  return { opts, pos, has: (...names) => names.some((n) => opts.has(n)), get: (...names) => names.flatMap((n) => opts.get(n) ?? []) };
}

function matchesFilters(c, filters) {
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = f.slice(0, eq);
    const val = f.slice(eq + 1);
    if (key === 'label') {
      const [lk, ...rest] = val.split('=');
      const lv = rest.join('=');
      if (!(lk in (c.labels ?? {}))) return false;
      if (rest.length > 0 && c.labels[lk] !== lv) return false;
    } else if (key === 'name') {
      if (!new RegExp(val.replace(/^\^\//, '^')).test(c.name)) return false;
    } else if (key === 'status') {
      if ((c.running ? 'running' : 'exited') !== val) return false;
    } else if (key === 'id') {
      if (!c.id.startsWith(val)) return false;
    } else if (key === 'ancestor') {
      if (normalizeImage(c.image) !== normalizeImage(val)) return false;
    } else if (key === 'network') {
      if ((c.networkMode ?? 'bridge') !== val) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- commands

function cmdPs(state, args) {
  const p = parseOptions(args, VALUE_FLAGS);
  const all = p.has('-a', '--all');
  const quiet = p.has('-q', '--quiet');
  const noTrunc = p.has('--no-trunc');
  const format = p.get('--format').at(-1);
  const rows = dockerState(state).containers.filter((c) => (all || c.running) && matchesFilters(c, p.get('--filter', '-f')));
  if (quiet) return ok(rows.map((c) => (noTrunc ? c.id : short(c.id)) + '\n').join(''));
  if (format && format !== 'table') {
    return ok(rows.map((c) => {
      const row = psRow(c);
      Object.defineProperty(row, '__labels', { value: c.labels, enumerable: false });
      if (noTrunc) row.ID = c.id;
      const text = format === 'json' ? JSON.stringify(psRow(c)) : renderTemplate(format.replace(/^table\s+/, ''), row);
      return `${text}\n`;
    }).join(''));
  }
  const header = 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES';
  return ok([header, ...rows.map((c) => { const r = psRow(c); return `${r.ID}   ${r.Image}   ${r.Command}   ${r.RunningFor}   ${r.Status}             ${r.Names}`; })].join('\n') + '\n');
}

function formatObjects(objects, format) {
  if (!format) return `${JSON.stringify(objects, null, 4)}\n`;
  return objects.map((o) => `${format === 'json' ? JSON.stringify(o) : renderTemplate(format, o)}\n`).join('');
}

function cmdInspect(state, args, kind) {
  const p = parseOptions(args, VALUE_FLAGS);
  const format = p.get('--format', '-f').at(-1);
  const type = kind ?? p.get('--type').at(-1);
  const found = [];
  const errors = [];
  for (const ref of p.pos) {
    const c = type === 'image' || type === 'network' ? undefined : findContainer(state, ref);
    if (c) {
      found.push(inspectContainer(state, c));
      continue;
    }
    if ((type === undefined || type === 'image') && hasImage(state, ref)) {
      found.push(inspectImage(ref));
      continue;
    }
    if (type === 'network' && dockerState(state).networks.includes(ref)) {
      found.push(inspectNetwork(state, ref));
      continue;
    }
    if (type === 'container') errors.push(`Error response from daemon: No such container: ${ref}`);
    else if (type === 'image') errors.push(`Error response from daemon: No such image: ${normalizeImage(ref)}`);
    else if (type === 'network') errors.push(`Error response from daemon: network ${ref} not found`);
    else errors.push(`Error: No such object: ${ref}`);
  }
  const stdout = format ? formatObjects(found, format) : `${JSON.stringify(found, null, 4)}\n`;
  if (errors.length > 0) return err(errors.join('\n'), 1, false, format ? stdout : found.length > 0 ? stdout : '[]\n');
  return ok(stdout);
}

function pullImage(state, ref) {
  const d = dockerState(state);
  const norm = normalizeImage(ref);
  const [name, tag = 'latest'] = norm.includes('@') ? [norm, ''] : [norm.slice(0, norm.lastIndexOf(':')), norm.slice(norm.lastIndexOf(':') + 1)];
  d.pulls.push(norm);
  const repo = name.includes('/') ? name : `library/${name}`;
  if (!hasImage(state, ref)) d.images.push(norm);
  const digest = `sha256:${fakeId(`digest:${norm}`)}`;
  return `${tag}: Pulling from ${repo}\n${fakeId(`layer:${norm}`).slice(0, 12)}: Pull complete\nDigest: ${digest}\nStatus: Downloaded newer image for ${norm}\n`;
}

function cmdPull(state, args) {
  const p = parseOptions(args, VALUE_FLAGS);
  const ref = p.pos[0];
  if (!ref) return err('"docker pull" requires exactly 1 argument.\nSee \'docker pull --help\'.', 1);
  const present = hasImage(state, ref);
  const progress = present ? `${normalizeImage(ref).split(':').pop()}: Pulling from ${ref.includes('/') ? ref.split(':')[0] : `library/${ref.split(':')[0]}`}\nDigest: sha256:${fakeId(`digest:${normalizeImage(ref)}`)}\nStatus: Image is up to date for ${normalizeImage(ref)}\n` : pullImage(state, ref);
  if (present) dockerState(state).pulls.push(normalizeImage(ref));
  const full = ref.includes('/') && ref.split('/')[0].includes('.') ? ref : `docker.io/${ref.includes('/') ? '' : 'library/'}${normalizeImage(ref)}`;
  return ok(`${progress}${full}\n`, true);
}

function toolkitAcceptsVolumeMounts(sim) {
  const text = sim.readHostFile('/etc/nvidia-container-runtime/config.toml') ?? '';
  return /^\s*accept-nvidia-visible-devices-as-volume-mounts\s*=\s*true\s*$/m.test(text);
}

/** What `nvidia-smi -L` inside a container would print, or undefined when no GPU reaches it. */
function gpusInContainer(sim, runtime, env, mounts, gpusFlag) {
  const s = sim.state;
  if (!s.driver?.installed || !s.toolkit?.installed) return undefined;
  // --gpus goes through the toolkit's hook with any runtime; otherwise the nvidia runtime must apply.
  if (gpusFlag !== undefined) {
    const want = gpusFlag.replace(/^"?device=/, '').replace(/"$/, '');
    const gpus = (s.gpus ?? []).filter((g, i) => want === 'all' || (/^\d+$/.test(want) && !gpusFlag.includes('device=') ? i < Number(want) : want.split(',').includes(String(g.index)) || want.split(',').includes(g.uuid)));
    return gpus.map((g) => `GPU ${g.index}: ${g.name} (UUID: ${g.uuid})\n`).join('');
  }
  const effective = runtime ?? dockerState(s).defaultRuntime;
  if (effective !== 'nvidia') return undefined;
  let visible = env.find((e) => e.startsWith('NVIDIA_VISIBLE_DEVICES='))?.split('=')[1];
  const mountDevs = mounts
    .map((m) => m.split(':'))
    .filter(([src, dst]) => src === '/dev/null' && dst?.startsWith('/var/run/nvidia-container-devices/'))
    .map(([, dst]) => dst.split('/').pop());
  if (mountDevs.length > 0 && toolkitAcceptsVolumeMounts(sim)) visible = mountDevs.join(',');
  if (!visible || visible === 'void' || visible === 'none') return undefined;
  const gpus = (s.gpus ?? []).filter((g) => visible === 'all' || visible.split(',').includes(String(g.index)) || visible.split(',').includes(g.uuid));
  return gpus.map((g) => `GPU ${g.index}: ${g.name} (UUID: ${g.uuid})\n`).join('');
}

function cmdRun(sim, args) {
  const state = sim.state;
  const p = parseOptions(args, VALUE_FLAGS, true);
  const [image, ...cmd] = p.pos;
  if (!image) return err('docker: \'docker run\' requires at least 1 argument.\nSee \'docker run --help\'.', 125);
  const d = dockerState(state);
  const name = p.get('--name').at(-1) ?? `sim_${fakeId(Math.random()).slice(0, 8)}`;
  const existing = findContainer(state, name);
  if (existing) {
    return err(`docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.\n\nRun 'docker run --help' for more information`, 125, true);
  }
  const runtime = p.get('--runtime').at(-1);
  if (runtime && !(d.runtimes ?? []).includes(runtime)) {
    return err(`docker: Error response from daemon: unknown or invalid runtime name: ${runtime}\n\nRun 'docker run --help' for more information`, 125, true);
  }
  let stderr = '';
  if (!hasImage(state, image) || p.get('--pull').at(-1) === 'always') {
    stderr += `Unable to find image '${normalizeImage(image)}' locally\n${pullImage(state, image)}`;
  }
  const labels = {};
  for (const l of p.get('--label', '-l')) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const env = p.get('-e', '--env');
  const mounts = p.get('-v', '--volume');
  const detach = p.has('-d', '--detach');
  const remove = p.has('--rm');
  const spec = {
    name,
    image,
    labels,
    running: detach,
    restartPolicy: p.get('--restart').at(-1) ?? 'no',
    networkMode: p.get('--network', '--net').at(-1) ?? 'bridge',
    mounts,
    env,
    cmd,
    ...(runtime ? { runtime } : {}),
    ...(p.has('--privileged') ? { privileged: true } : {}),
  };
  if (detach) {
    const c = addContainer(state, spec);
    return { stdout: `${c.id}\n`, stderr, exitCode: 0, mutating: true };
  }
  // Foreground: run the command "inside" the image.
  let stdout = '';
  let exitCode = 0;
  if (cmd[0] === 'nvidia-smi') {
    const gpusFlag = p.get('--gpus').at(-1);
    if (gpusFlag !== undefined && !sim.state.toolkit?.installed) {
      return { stdout: '', stderr: `${stderr}docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]]\n\nRun 'docker run --help' for more information\n`, exitCode: 125, mutating: true };
    }
    const listed = gpusInContainer(sim, runtime, env, mounts, gpusFlag);
    if (listed === undefined) {
      stderr += 'docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "nvidia-smi": executable file not found in $PATH: unknown\n\nRun \'docker run --help\' for more information\n';
      exitCode = 127;
    } else stdout = listed;
  } else if (cmd[0] === 'echo') stdout = `${cmd.slice(1).join(' ')}\n`;
  else if (cmd[0] === 'false') exitCode = 1;
  if (!remove) {
    const c = addContainer(state, { ...spec, running: false });
    c.exitCode = exitCode;
    c.logs = stdout;
  }
  return { stdout, stderr, exitCode, mutating: true };
}

function cmdRm(state, args) {
  const p = parseOptions(args, new Set());
  const force = p.has('-f', '--force');
  const d = dockerState(state);
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const ref of p.pos) {
    const c = findContainer(state, ref);
    if (!c) {
      stderr += `Error response from daemon: No such container: ${ref}\n`;
      if (!force) exitCode = 1;
      continue;
    }
    if (c.running && !force) {
      stderr += `Error response from daemon: cannot remove container "/${c.name}": container is running: stop the container before removing or force remove\n`;
      exitCode = 1;
      continue;
    }
    d.containers = d.containers.filter((x) => x !== c);
    stdout += `${ref}\n`;
  }
  return { stdout, stderr, exitCode, mutating: true };
}

function cmdStopStart(state, args, start) {
  const p = parseOptions(args, new Set(['-t', '--time', '--signal', '-s']));
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const ref of p.pos) {
    const c = findContainer(state, ref);
    if (!c) {
      stderr += `Error response from daemon: No such container: ${ref}\n`;
      exitCode = 1;
      continue;
    }
    c.running = start;
    stdout += `${ref}\n`;
  }
  if (start && exitCode !== 0) stderr += `Error: failed to start containers: ${p.pos.join(', ')}\n`;
  return { stdout, stderr, exitCode, mutating: true };
}

function cmdLogs(state, args) {
  const p = parseOptions(args, new Set(['--tail', '-n', '--since', '--until']));
  const ref = p.pos[0];
  const c = ref ? findContainer(state, ref) : undefined;
  if (!c) return err(`Error response from daemon: No such container: ${ref}`);
  let text = c.logs ?? '';
  // cloud-provider-kind looks for kind clusters (every 30 s; at once here) and logs each one it
  // starts serving (the line kindling's health check waits for; see test/unit/addons fixtures).
  if (c.running && /cloud-provider-kind|cloud-controller-manager/.test(c.image ?? '')) {
    const clusters = dockerState(state).containers
      .filter((n) => n.labels?.['io.x-k8s.kind.role'] === 'control-plane' && n.labels?.['io.x-k8s.kind.cluster'])
      .map((n) => n.labels['io.x-k8s.kind.cluster']);
    for (const name of clusters) {
      if (!text.includes(`for cluster ${name}\n`)) text += `I1124 05:00:01.000000       1 controller.go:175] Starting cloud controller for cluster ${name}\n`;
    }
  }
  const tailN = p.get('--tail', '-n').at(-1);
  if (tailN !== undefined && tailN !== 'all') {
    const lines = text.split('\n').filter((l) => l !== '');
    text = lines.slice(-Number(tailN)).map((l) => `${l}\n`).join('');
  }
  return ok(text);
}

function cmdNetwork(state, args) {
  const [sub, ...rest] = args;
  const d = dockerState(state);
  const p = parseOptions(rest, VALUE_FLAGS);
  switch (sub) {
    case 'ls':
    case 'list': {
      const filters = p.get('--filter', '-f');
      const rows = d.networks.filter((n) => filters.every((f) => !f.startsWith('name=') || n.includes(f.slice(5))));
      const format = p.get('--format').at(-1);
      if (p.has('-q', '--quiet')) return ok(rows.map((n) => `${fakeId(`net:${n}`).slice(0, 12)}\n`).join(''));
      const obj = (n) => ({ CreatedAt: '2026-11-24 05:33:33.881068284 +0000 UTC', Driver: n === 'host' ? 'host' : n === 'none' ? 'null' : 'bridge', ID: fakeId(`net:${n}`).slice(0, 12), IPv4: 'false', IPv6: n === 'kind' ? 'true' : 'false', Internal: 'false', Labels: '', Name: n, Scope: 'local' });
      if (format) return ok(rows.map((n) => `${format === 'json' ? JSON.stringify(obj(n)) : renderTemplate(format, obj(n))}\n`).join(''));
      return ok(['NETWORK ID     NAME      DRIVER    SCOPE', ...rows.map((n) => `${obj(n).ID}   ${n}   ${obj(n).Driver}   local`)].join('\n') + '\n');
    }
    case 'inspect':
      return cmdInspect(state, rest, 'network');
    case 'create': {
      const name = p.pos[0];
      if (d.networks.includes(name)) return err(`Error response from daemon: network with name ${name} already exists`, 1, true);
      d.networks.push(name);
      return ok(`${fakeId(`net:${name}`)}\n`, true);
    }
    case 'rm':
    case 'remove': {
      for (const n of p.pos) {
        if (!d.networks.includes(n)) return err(`Error response from daemon: network ${n} not found`, 1, true);
        d.networks = d.networks.filter((x) => x !== n);
      }
      return ok(p.pos.map((n) => `${n}\n`).join(''), true);
    }
    case 'connect':
    case 'disconnect':
      return ok('', true);
    default:
      return err(`docker: unknown command: docker network ${sub}`, 1);
  }
}

function cmdImage(state, args) {
  const [sub, ...rest] = args;
  const d = dockerState(state);
  const p = parseOptions(rest, VALUE_FLAGS);
  switch (sub) {
    case 'inspect':
      return cmdInspect(state, rest, 'image');
    case 'pull':
      return cmdPull(state, rest);
    case 'ls':
    case 'list': {
      const format = p.get('--format').at(-1);
      const obj = (ref) => {
        const n = normalizeImage(ref);
        const i = n.lastIndexOf(':');
        return { Containers: 'N/A', CreatedAt: '2026-11-01 00:00:00 +0000 UTC', CreatedSince: '3 weeks ago', Digest: '<none>', ID: fakeId(`img:${n}`).slice(0, 12), Repository: n.slice(0, i), SharedSize: 'N/A', Size: '78MB', Tag: n.slice(i + 1), UniqueSize: 'N/A', VirtualSize: '78MB' };
      };
      const rows = d.images.filter((ref) => p.pos.length === 0 || normalizeImage(ref).startsWith(p.pos[0]));
      if (p.has('-q', '--quiet')) return ok(rows.map((r) => `${obj(r).ID}\n`).join(''));
      if (format) return ok(rows.map((r) => `${format === 'json' ? JSON.stringify(obj(r)) : renderTemplate(format, obj(r))}\n`).join(''));
      return ok(['REPOSITORY   TAG       IMAGE ID       CREATED       SIZE', ...rows.map((r) => `${obj(r).Repository}   ${obj(r).Tag}   ${obj(r).ID}   3 weeks ago   78MB`)].join('\n') + '\n');
    }
    case 'rm':
    case 'remove': {
      for (const ref of p.pos) {
        if (!hasImage(state, ref)) return err(`Error response from daemon: No such image: ${normalizeImage(ref)}`, 1, true);
        d.images = d.images.filter((i) => normalizeImage(i) !== normalizeImage(ref));
      }
      return ok(p.pos.map((r) => `Untagged: ${normalizeImage(r)}\n`).join(''), true);
    }
    case 'tag': {
      if (!hasImage(state, p.pos[0] ?? '')) return err(`Error response from daemon: No such image: ${normalizeImage(p.pos[0] ?? '')}`, 1, true);
      if (!hasImage(state, p.pos[1])) d.images.push(normalizeImage(p.pos[1]));
      return ok('', true);
    }
    case 'import':
    case 'load': {
      const ref = sub === 'import' ? p.pos[1] : undefined;
      if (ref && !hasImage(state, ref)) d.images.push(normalizeImage(ref));
      return ok(ref ? `sha256:${fakeId(`img:${normalizeImage(ref)}`)}\n` : 'Loaded image\n', true);
    }
    default:
      return err(`docker: unknown command: docker image ${sub}`, 1);
  }
}

async function delegateExec(call, sim, args) {
  const state = sim.state;
  const path = join(here, 'docker-exec.mjs');
  if (existsSync(path)) {
    const mod = await import(pathToFileURL(path).href);
    return mod.handle({ ...call, args }, sim);
  }
  const p = parseOptions(args.slice(1), new Set(['-e', '--env', '-u', '--user', '-w', '--workdir']), true);
  const ref = args[0] === 'cp' ? (p.pos.find((x) => x.includes(':')) ?? '').split(':')[0] : p.pos[0];
  const c = ref ? findContainer(state, ref) : undefined;
  if (!c) return err(`Error response from daemon: No such container: ${ref}`);
  if (args[0] === 'exec' && !c.running) return err(`Error response from daemon: container ${c.id} is not running`);
  const readOnly = args[0] === 'exec' && ['cat', 'ls', 'test', 'stat', 'readlink', 'nvidia-smi', 'true', 'uname', 'which'].includes(p.pos[1] ?? '');
  return ok('', !readOnly);
}

export async function handle(call, sim) {
  const state = sim.state;
  dockerState(state);
  // Global options before the command (docker --context x …, -H …) are accepted and ignored.
  let args = [...call.args];
  while (args[0]?.startsWith('-') && !['--version', '-v', '--help', '-h'].includes(args[0])) args = args.slice(['--context', '-c', '-H', '--host', '--config', '--log-level', '-l'].includes(args[0]) ? 2 : 1);
  if (args[0] === 'container' && args[1] === 'inspect') {
    const down = daemonError(state);
    return down ? err(down) : cmdInspect(state, args.slice(2), 'container');
  }
  if (args[0] === 'container' && args[1]) args = [args[1] === 'ls' || args[1] === 'list' ? 'ps' : args[1], ...args.slice(2)];
  const [cmd, ...rest] = args;

  if (cmd === undefined || cmd === '--help' || cmd === '-h') return ok('\nUsage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n');
  if (cmd === '--version' || cmd === '-v') return ok(`Docker version ${state.docker.version}, build e6534b4\n`);

  const down = daemonError(state);
  if (cmd === 'version') {
    const p = parseOptions(rest, VALUE_FLAGS);
    const format = p.get('--format', '-f').at(-1);
    const v = versionObject(state, !down);
    const stdout = format ? `${format === 'json' ? JSON.stringify(v) : renderTemplate(format, v)}\n` : `Client:\n Version:           ${v.Client.Version}\n API version:       ${API}\n Go version:        go1.24.3\n Git commit:        e6534b4\n Built:             Fri May 30 12:07:14 2025\n OS/Arch:           linux/amd64\n Context:           default\n${v.Server ? `\nServer:\n Engine:\n  Version:          ${v.Server.Version}\n  API version:      ${API} (minimum version 1.24)\n` : ''}`;
    return down ? err(down, 1, false, stdout) : ok(stdout);
  }
  if (cmd === 'info') {
    const p = parseOptions(rest, VALUE_FLAGS);
    const format = p.get('--format', '-f').at(-1);
    if (down) {
      if (format) return err(down, 1, false, `${format === 'json' || format === '{{json .}}' ? JSON.stringify(emptyInfo(state)) : renderTemplate(format, emptyInfo(state))}\n`);
      return err(`${down}\nerrors pretty printing info`, 1, false, `Client:\n Version:    ${state.docker.version}\n Context:    default\n Debug Mode: false\n\nServer:\n`);
    }
    const info = infoObject(state);
    if (format) return ok(`${format === 'json' ? JSON.stringify(info) : renderTemplate(format, info)}\n`);
    return ok(infoText(state));
  }
  if (down) {
    const mutating = ['run', 'rm', 'stop', 'start', 'pull', 'create', 'exec', 'cp', 'network', 'image', 'kill', 'restart'].includes(cmd);
    return err(cmd === 'run' ? `docker: ${down}\n\nRun 'docker run --help' for more information` : down, cmd === 'run' ? 125 : 1, mutating);
  }
  switch (cmd) {
    case 'ps':
      return cmdPs(state, rest);
    case 'inspect':
      return cmdInspect(state, rest, undefined);
    case 'run':
      return cmdRun(sim, rest);
    case 'rm':
      return cmdRm(state, rest);
    case 'stop':
    case 'kill':
      return cmdStopStart(state, rest, false);
    case 'start':
    case 'restart':
      return cmdStopStart(state, rest, true);
    case 'pull':
      return cmdPull(state, rest);
    case 'logs':
      return cmdLogs(state, rest);
    case 'network':
      return cmdNetwork(state, rest);
    case 'image':
      return cmdImage(state, rest);
    case 'images':
      return cmdImage(state, ['ls', ...rest]);
    case 'rmi':
      return cmdImage(state, ['rm', ...rest]);
    case 'tag':
      return cmdImage(state, ['tag', ...rest]);
    case 'import':
      return cmdImage(state, ['import', ...rest]);
    case 'load':
      return cmdImage(state, ['load', ...rest]);
    case 'exec':
    case 'cp':
      return delegateExec(call, sim, args);
    default:
      return err(`docker: unknown command: docker ${cmd}\n\nRun 'docker --help' for more information`, 1);
  }
}

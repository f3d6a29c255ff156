// Fake `kubectl port-forward service/NAME LOCAL:80 --context kind-X --namespace NS` for the serving
// scenarios: the simulated kubelet (test/sim/fake-kube/plugins/kubelet.ts) writes every vLLM
// Service's fake backend URL to <SIM_DIR>/serving-backends.json; this starts a detached TCP proxy
// 127.0.0.1:LOCAL → that backend, prints kubectl's "Forwarding from" line and returns. (Real
// kubectl stays in the foreground; kindling runs it detached either way.) Proxy pids are appended
// to <SIM_DIR>/port-forward-pids.txt so tests can stop them; each proxy also exits after 10 min.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PROXY = `
const net = require('node:net');
const [, port, host, tport] = process.argv;
net.createServer((c) => {
  const u = net.connect(Number(tport), host);
  c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
}).listen(Number(port), '127.0.0.1');
setTimeout(() => process.exit(0), 600000);
`;

export function portForward(call, sim) {
  const args = call.args;
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const context = opt('--context') ?? '';
  const namespace = opt('--namespace') ?? opt('-n') ?? 'default';
  const target = args.find((a) => /^(service|svc)\//.test(a));
  const ports = args.find((a) => /^\d+:\d+$/.test(a));
  if (!target || !ports) return { stderr: 'error: TYPE/NAME and list of ports are required for port-forward\n', exitCode: 1 };
  const name = target.split('/')[1];
  const cluster = context.startsWith('kind-') ? context.slice(5) : context;
  const file = join(sim.dir, 'serving-backends.json');
  const backends = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const url = backends[`${cluster}/${namespace}/${name}`];
  if (!url) return { stderr: `error: services "${name}" not found\n`, exitCode: 1 };
  const { hostname, port } = new URL(url);
  const local = ports.split(':')[0];
  const child = spawn(process.execPath, ['-e', PROXY, local, hostname, port], { detached: true, stdio: 'ignore' });
  child.unref();
  appendFileSync(join(sim.dir, 'port-forward-pids.txt'), `${child.pid}\n`);
  return { stdout: `Forwarding from 127.0.0.1:${local} -> 8000\n`, mutating: true };
}

// Fake `nvidia-ctk` (NVIDIA Container Toolkit CLI) on the simulated host: --version,
// `runtime configure --runtime=docker` (edits /etc/docker/daemon.json in the fake root; Docker
// picks it up on restart — see applyDaemonJson in docker.mjs), `config [--set k=v] [--in-place]`
// (edits /etc/nvidia-container-runtime/config.toml), `cdi generate` and `cdi list`.
const CONFIG = '/etc/nvidia-container-runtime/config.toml';
const log = (lines) => lines.map((l) => `time="2026-11-24T05:40:00Z" level=info msg="${l}"\n`).join('');

function option(args, name) {
  const eq = args.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Sets `key = value` in a flat TOML text (section.key for keys in a [section]). */
export function setTomlKey(text, dotted, value) {
  const sections = ['nvidia-container-cli', 'nvidia-container-runtime-hook', 'nvidia-container-runtime', 'nvidia-ctk'];
  const section = sections.find((s) => dotted.startsWith(`${s}.`));
  const key = section ? dotted.slice(section.length + 1) : dotted;
  const rendered = /^(true|false|\d+)$/.test(value) || value.startsWith('[') || value.startsWith('"') ? value : `"${value}"`;
  const lines = text.split('\n');
  let current = '';
  let headerAt = section ? -1 : 0;
  for (let i = 0; i < lines.length; i++) {
    const h = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]);
    if (h) {
      current = h[1];
      if (current === section) headerAt = i + 1;
      continue;
    }
    if (current === (section ?? '') && new RegExp(`^\\s*${key.replace(/[.]/g, '\\.')}\\s*=`).test(lines[i])) {
      lines[i] = `${key} = ${rendered}`;
      return lines.join('\n');
    }
  }
  if (headerAt < 0) return `${text.replace(/\n*$/, '\n')}\n[${section}]\n${key} = ${rendered}\n`;
  // Insert after the commented default if there is one (what nvidia-ctk's rewrite looks like), else at the start.
  const commented = lines.findIndex((l, i) => i >= headerAt && new RegExp(`^#\\s*${key.replace(/[.]/g, '\\.')}\\s*=`).test(l));
  lines.splice(commented >= 0 ? commented + 1 : headerAt, 0, `${key} = ${rendered}`);
  return lines.join('\n');
}

export async function handle(call, sim) {
  const args = call.args;
  const version = sim.state.toolkit?.version ?? '1.18.1';
  if (args[0] === '--version' || args[0] === '-v' || args[0] === 'version') {
    return { stdout: `NVIDIA Container Toolkit CLI version ${version}\ncommit: 889a3bb5408c195ed7897ba2cb8341c7d249672f\n` };
  }
  if (args[0] === 'runtime' && args[1] === 'configure') {
    const runtime = option(args, '--runtime') ?? 'docker';
    if (runtime !== 'docker') return { stderr: log([`Wrote updated config to /etc/${runtime}/config.toml`]), mutating: true };
    const path = option(args, '--config') ?? '/etc/docker/daemon.json';
    let cfg = {};
    const text = sim.readHostFile(path);
    if (text && text.trim() !== '') {
      try {
        cfg = JSON.parse(text);
      } catch {
        return { stderr: `time="2026-11-24T05:40:00Z" level=error msg="unable to load config: invalid character '}' looking for beginning of object key string"\n`, exitCode: 1, mutating: true };
      }
    }
    cfg.runtimes ??= {};
    cfg.runtimes[option(args, '--nvidia-runtime-name') ?? 'nvidia'] = { args: [], path: 'nvidia-container-runtime' };
    if (args.includes('--set-as-default') || option(args, '--set-as-default') === 'true') cfg['default-runtime'] = 'nvidia';
    if (args.includes('--cdi.enabled') || option(args, '--cdi.enabled') === 'true') cfg.features = { ...(cfg.features ?? {}), cdi: true };
    const sorted = (o) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted(o[k])])) : o);
    sim.writeHostFile(path, `${JSON.stringify(sorted(cfg), null, 4)}\n`);
    sim.state.toolkit.dockerConfigured = true;
    return { stderr: log([`Loading config from ${path}`, `Wrote updated config to ${path}`, 'It is recommended that docker daemon be restarted.']), mutating: true };
  }
  if (args[0] === 'config') {
    const path = option(args, '--config-file') ?? option(args, '--config') ?? CONFIG;
    let text = sim.readHostFile(path) ?? '';
    const sets = [];
    for (let i = 1; i < args.length; i++) {
      if (args[i] === '--set') sets.push(args[++i]);
      else if (args[i].startsWith('--set=')) sets.push(args[i].slice(6));
    }
    for (const s of sets) {
      const eq = s.indexOf('=');
      text = eq < 0 ? setTomlKey(text, s, 'true') : setTomlKey(text, s.slice(0, eq), s.slice(eq + 1));
    }
    if (args.includes('--in-place') || args.includes('-i')) {
      sim.writeHostFile(path, text);
      return { mutating: true };
    }
    return { stdout: text };
  }
  if (args[0] === 'cdi' && args[1] === 'generate') {
    const out = option(args, '--output');
    const gpus = sim.state.gpus ?? [];
    const spec = [
      '---',
      'cdiVersion: 0.5.0',
      'kind: nvidia.com/gpu',
      'devices:',
      ...gpus.flatMap((g) => [`- name: "${g.index}"`, '  containerEdits:', '    deviceNodes:', `    - path: /dev/nvidia${g.index}`]),
      '- name: all',
      '  containerEdits:',
      '    deviceNodes:',
      ...gpus.map((g) => `    - path: /dev/nvidia${g.index}`),
      '',
    ].join('\n');
    if (out) {
      sim.writeHostFile(out, spec);
      return { stderr: log([`Generated CDI spec with version 0.5.0`]), mutating: true };
    }
    return { stdout: spec };
  }
  if (args[0] === 'cdi' && args[1] === 'list') {
    const gpus = sim.state.gpus ?? [];
    const names = [...gpus.flatMap((g) => [`nvidia.com/gpu=${g.index}`, `nvidia.com/gpu=${g.uuid}`]), 'nvidia.com/gpu=all'];
    return { stderr: log([`Found ${names.length} CDI devices`]), stdout: names.map((n) => `${n}\n`).join('') };
  }
  return { stderr: `Incorrect Usage: flag provided but not defined: ${args[0]}\n`, exitCode: 1 };
}

// Fake-executable dispatcher of the simulated host (TESTING.md §2). Every fake tool on the
// simulated PATH is a shim that runs: node dispatch.mjs <tool> <args...>.
// It appends the call to the journal, applies the scenario's injected failures and delays, then
// hands the call to tools/<tool>.mjs, which answers from (and may change) the simulated host state.
//
// A handler module exports `handle(call, sim)` returning { stdout?, stderr?, exitCode?, mutating? }.
//   call: { tool, args, stdin, env, cwd } (cwd: the directory the caller ran the tool in)
//   sim:  { state, scenario, dir, root, install(tool), uninstall(tool), hostFile(path), journalNote(obj) }
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [tool, ...args] = process.argv.slice(2);
const dir = process.env.SIM_DIR;
if (!dir) {
  process.stderr.write('sim: SIM_DIR is not set\n');
  process.exit(99);
}

const stdin = process.stdin.isTTY ? '' : readStdin();

function readStdin() {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A simple cross-process lock (mkdir is atomic): parallel fake calls must not lose state updates.
async function withLock(fn) {
  const lock = join(dir, 'state.lock');
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // A holder killed mid-call (Ctrl-C scenarios: the runner's SIGTERM/SIGKILL) leaves the lock
      // behind; break it when its process is gone.
      if (i % 20 === 19 && lockHolderGone(lock)) rmSync(lock, { recursive: true, force: true });
      if (i > 2000) throw new Error('sim: state lock timeout');
      await sleep(5);
    }
  }
  const release = () => rmSync(lock, { recursive: true, force: true });
  const onTerm = () => {
    release();
    process.exit(143);
  };
  process.once('SIGTERM', onTerm);
  try {
    return await fn();
  } finally {
    process.off('SIGTERM', onTerm);
    release();
  }
}

function lockHolderGone(lock) {
  let pid;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // being created right now
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

function loadJson(name) {
  return JSON.parse(readFileSync(join(dir, name), 'utf8'));
}

function saveState(text) {
  const tmp = join(dir, `state.json.${process.pid}`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, 'state.json'));
}

function shim(toolName) {
  const path = join(dir, 'bin', toolName);
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${join(here, 'dispatch.mjs')}" "${toolName}" "$@"\n`);
  chmodSync(path, 0o755);
}

const scenario = loadJson('scenario.json');
const line = [tool, ...args].join(' ');
const started = Date.now();

// The handler module is imported before taking the state lock: parallel calls overlap in the
// import, and the lock covers only the state read-modify-write (faults, handler, save).
const handlerPath = join(here, 'tools', `${tool}.mjs`);
const handler = existsSync(handlerPath) ? await import(pathToFileURL(handlerPath).href) : undefined;

// Injected faults: { match: regex source over "tool args…", exitCode, stderr, stdout, times, delayMs }.
// `times` counts down in state.json so that a rerun after a failure succeeds.
const result = await withLock(async () => {
  const stateText = readFileSync(join(dir, 'state.json'), 'utf8');
  const state = JSON.parse(stateText);
  // Saved only when the call changed it (most calls are read-only probes).
  const save = () => {
    const text = JSON.stringify(state, null, 2);
    if (text !== stateText) saveState(text);
  };
  const sim = {
    state,
    scenario,
    dir,
    root: join(dir, 'root'),
    install: (t) => shim(t),
    uninstall: (t) => rmSync(join(dir, 'bin', t), { force: true }),
    hostFile: (p) => join(dir, 'root', p),
    readHostFile: (p) => (existsSync(join(dir, 'root', p)) ? readFileSync(join(dir, 'root', p), 'utf8') : undefined),
    writeHostFile: (p, content) => {
      mkdirSync(dirname(join(dir, 'root', p)), { recursive: true });
      writeFileSync(join(dir, 'root', p), content);
    },
  };
  state.faultsUsed ??= {};
  let delayMs = 0;
  for (const d of scenario.delays ?? []) {
    if (new RegExp(d.match).test(line)) delayMs = Math.max(delayMs, d.ms);
  }
  for (const [i, f] of (scenario.faults ?? []).entries()) {
    if (!new RegExp(f.match).test(line)) continue;
    const used = state.faultsUsed[i] ?? 0;
    if (f.times !== undefined && used >= f.times) continue;
    state.faultsUsed[i] = used + 1;
    save();
    return { fault: true, delayMs: f.delayMs ?? delayMs, stdout: f.stdout ?? '', stderr: f.stderr ?? `sim: injected failure for: ${line}\n`, exitCode: f.exitCode ?? 1, mutating: true };
  }
  if (!handler) {
    return { delayMs, stdout: '', stderr: `sim: no fake for '${tool}'\n`, exitCode: 127, mutating: false };
  }
  const r = (await handler.handle({ tool, args, stdin, env: process.env, cwd: process.cwd() }, sim)) ?? {};
  save();
  return { delayMs: (r.delayMs ?? 0) + delayMs, stdout: r.stdout ?? '', stderr: r.stderr ?? '', exitCode: r.exitCode ?? 0, mutating: r.mutating ?? false };
});

// Delays happen outside the lock so that parallel calls overlap, as real commands do.
if (result.delayMs > 0) await sleep(result.delayMs);

appendFileSync(
  join(dir, 'journal.jsonl'),
  JSON.stringify({
    tool,
    args,
    line,
    mutating: result.mutating,
    exitCode: result.exitCode,
    stdinSha: stdin ? createHash('sha256').update(stdin).digest('hex').slice(0, 16) : undefined,
    stdin: stdin ? stdin.slice(0, 4000) : undefined,
    env: pickEnv(process.env),
    start: started,
    end: Date.now(),
    fault: result.fault ?? false,
  }) + '\n',
);

process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.exitCode;

function pickEnv(env) {
  const out = {};
  for (const k of ['HF_TOKEN', 'HF_ENDPOINT', 'KUBECONFIG', 'SUDO_USER', 'NVIDIA_VISIBLE_DEVICES']) if (env[k] !== undefined) out[k] = env[k] === '' ? '' : k === 'HF_TOKEN' ? '<set>' : env[k];
  return out;
}

/**
 * Wiring the fake API server into a simulated host: `attachFakeKube(sim)` starts a server and
 * writes its URL to `<sim.dir>/fake-kube.json`, where the fake `kind` (fakebin/tools/kind.mjs)
 * finds it — no env plumbing needed. (`SIM_KUBE_URL` in runCli's env works too and wins.)
 * The fake kind then registers each cluster it creates (`POST /_sim/clusters/<name>` with its
 * nodes) and writes `~/.kube/config` context `kind-<name>` → `${url}/clusters/<name>`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from './server.js';

export const FAKE_KUBE_FILE = 'fake-kube.json';

export async function attachFakeKube(sim: { dir: string }, options: FakeKubeOptions = {}): Promise<FakeKube> {
  const kube = await startFakeKube(options);
  writeFileSync(join(sim.dir, FAKE_KUBE_FILE), JSON.stringify({ url: kube.url }));
  return kube;
}

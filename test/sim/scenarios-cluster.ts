/**
 * Cluster scenarios for the simulated host: a healthy GPU host (NVIDIA's apt repository configured,
 * as `kindling host setup` leaves it) plus the fake API server. kindling downloads the toolkit .debs
 * into the host cache itself (fake `apt-get download`).
 */
import { buildScenario, type Scenario } from './scenario.js';
import type { SimHost } from './harness.js';

export const TOOLKIT_DEB_VERSION = '1.18.1-1';
export const NVIDIA_APT_LIST = '/etc/apt/sources.list.d/nvidia-container-toolkit.list';
export const TOOLKIT_PACKAGES = ['nvidia-container-toolkit', 'nvidia-container-toolkit-base', 'libnvidia-container-tools', 'libnvidia-container1'];

export function clusterScenario(gpus: number, name = `cluster host, ${gpus} GPU${gpus === 1 ? '' : 's'}`): Scenario {
  const s = buildScenario(name, gpus);
  // simGpus derives UUIDs as …2a${(10 + i).toString(16)}, so GPU 6 repeats GPU 0's (…2a10):
  // give GPUs after the first (real, captured) one distinct derived UUIDs.
  s.state.gpus = s.state.gpus.map((g, i) => (i === 0 ? g : { ...g, uuid: `GPU-5a0b4b3e-1d7e-2c4b-9a4e-${(0x6f1c8e5d2a10 + i).toString(16)}` }));
  // the host installed its toolkit from NVIDIA's repository (the list `kindling host setup` writes)
  s.files[NVIDIA_APT_LIST] = '# NVIDIA Container Toolkit, stable channel only (written by kindling host setup).\ndeb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\n';
  return s;
}

/**
 * Puts the pinned toolkit .debs in the host cache (what `apt-get download` in the cache dir leaves), for
 * scenarios that are not about the download (the cluster scenarios themselves go through it).
 */
export function seedToolkitCache(sim: SimHost): void {
  for (const p of TOOLKIT_PACKAGES) {
    sim.writeHostFile(`/var/lib/kindling/cache/toolkit/${TOOLKIT_DEB_VERSION}/${p}_${TOOLKIT_DEB_VERSION}_amd64.deb`, `fake deb ${p}\n`);
  }
}

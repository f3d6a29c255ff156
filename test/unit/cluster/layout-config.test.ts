/** Layouts, kind config validation, kindling's additions, node-name mapping and template mode. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderClusterConfig } from '../../../src/cluster/config.js';
import { addKindlingFields, kindConfigProblems, kindConfigToYaml, type KindConfig } from '../../../src/cluster/kind-config.js';
import { buildKindConfig, layoutFromConfig, mapNodes, planGpuGroups, sortKindNodeNames } from '../../../src/cluster/layout.js';
import { UserError } from '../../../src/core/errors.js';
import { testContext } from '../../helpers/context.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/nvkind-templates');

describe('GPU layouts', () => {
  it('one worker per GPU by default', () => {
    expect(planGpuGroups({ hostGpuCount: 4 })).toEqual({ groups: [[0], [1], [2], [3]], remainder: false });
  });
  it('--gpus-per-node N: the last worker gets the remainder when N does not divide the count', () => {
    expect(planGpuGroups({ hostGpuCount: 8, gpusPerNode: 2 }).groups).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    expect(planGpuGroups({ hostGpuCount: 5, gpusPerNode: 2 })).toEqual({ groups: [[0, 1], [2, 3], [4]], remainder: true });
  });
  it('--gpus subset, combined with --gpus-per-node, and a single worker with all GPUs', () => {
    expect(planGpuGroups({ hostGpuCount: 8, gpus: [6, 1, 3] }).groups).toEqual([[1], [3], [6]]);
    expect(planGpuGroups({ hostGpuCount: 8, gpus: [0, 1, 2, 3], gpusPerNode: 2 }).groups).toEqual([[0, 1], [2, 3]]);
    expect(planGpuGroups({ hostGpuCount: 3, gpusPerNode: 'all' }).groups).toEqual([[0, 1, 2]]);
  });
  it('refuses GPUs that do not exist, duplicates, zero GPUs and N larger than the selection', () => {
    expect(() => planGpuGroups({ hostGpuCount: 2, gpus: [2] })).toThrow(/GPU 2 does not exist: the host has 2 GPUs \(indices 0-1\)/);
    expect(() => planGpuGroups({ hostGpuCount: 2, gpus: [1, 1] })).toThrow(/twice/);
    expect(() => planGpuGroups({ hostGpuCount: 0 })).toThrow(UserError);
    expect(() => planGpuGroups({ hostGpuCount: 2, gpusPerNode: 3 })).toThrow(/more GPUs than the 2 selected/);
  });
});

describe('kind config validation (v1alpha4 fields of kind v0.32.0)', () => {
  it('an unknown field is an error with its path and a suggestion', () => {
    const problems = kindConfigProblems({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [{ role: 'control-plane' }, { role: 'worker', extraMount: [] }] });
    expect(problems).toEqual(['unknown field nodes[1].extraMount (did you mean extraMounts?)']);
  });
  it('checks types and enums, and nested fields', () => {
    const problems = kindConfigProblems({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      networking: { ipFamilly: 'ipv4', kubeProxyMode: 'foo' },
      nodes: [{ role: 'master' }, { role: 'worker', labels: { 'nvidia.com/gpu.present': true }, extraMounts: [{ hostPath: '/x', containerPath: '/y', propagation: 'Shared' }] }],
    });
    expect(problems).toEqual([
      'unknown field networking.ipFamilly (did you mean ipFamily?)',
      "networking.kubeProxyMode: 'foo' is not one of iptables, ipvs, nftables, none",
      "nodes[0].role: 'master' is not one of control-plane, worker",
      'nodes[1].labels.nvidia.com/gpu.present: expected a string, got boolean true (quote it: "true")',
      "nodes[1].extraMounts[0].propagation: 'Shared' is not one of None, HostToContainer, Bidirectional",
      'nodes: at least one node must have role control-plane',
    ]);
  });
  it('accepts every documented field', () => {
    const full = {
      kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: 'x', featureGates: { DynamicResourceAllocation: true }, runtimeConfig: { 'api/alpha': 'false' },
      networking: { ipFamily: 'dual', apiServerPort: 6443, apiServerAddress: '127.0.0.1', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', disableDefaultCNI: false, kubeProxyMode: 'nftables', dnsSearch: ['a'] },
      kubeadmConfigPatches: ['x'], kubeadmConfigPatchesJSON6902: [{ group: 'g', version: 'v', kind: 'k', patch: 'p' }], containerdConfigPatches: ['[plugins."io.containerd.grpc.v1.cri"]\n  enable_cdi = true'], containerdConfigPatchesJSON6902: ['[]'],
      nodes: [{ role: 'control-plane', image: 'i', labels: { a: 'b' }, extraMounts: [{ hostPath: '/a', containerPath: '/b', readOnly: true, selinuxRelabel: false, propagation: 'HostToContainer' }], extraPortMappings: [{ containerPort: 80, hostPort: 8080, listenAddress: '0.0.0.0', protocol: 'TCP' }], kubeadmConfigPatches: [], kubeadmConfigPatchesJSON6902: [] }],
    };
    expect(kindConfigProblems(full)).toEqual([]);
  });
});

describe("kindling's additions", () => {
  it('keeps user fields; labels GPU workers, mounts the cache, pins the image where unset', () => {
    const user: KindConfig = {
      kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', containerdConfigPatches: ['x'],
      nodes: [
        { role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80 }] },
        { role: 'worker', image: 'my/node:v1', labels: { team: 'ml' }, extraMounts: [{ hostPath: '/dev/null', containerPath: '/var/run/nvidia-container-devices/0' }] },
        { role: 'worker' },
      ],
    };
    const out = addKindlingFields(user, { name: 'demo', hostCacheDir: '/srv/cache', image: 'kindest/node:v1.36.1' });
    expect(out.name).toBe('demo');
    expect(out.containerdConfigPatches).toEqual(['x']);
    expect(out.nodes?.[0]).toEqual({ role: 'control-plane', image: 'kindest/node:v1.36.1', extraPortMappings: [{ containerPort: 80, hostPort: 80 }] });
    expect(out.nodes?.[1]?.image).toBe('my/node:v1');
    expect(out.nodes?.[1]?.labels).toEqual({ team: 'ml', 'nvidia.com/gpu.present': 'true' });
    expect(out.nodes?.[1]?.extraMounts?.[1]).toEqual({ hostPath: '/srv/cache', containerPath: '/var/lib/kindling/cache' });
    expect(out.nodes?.[2]?.labels).toBeUndefined(); // a worker without GPUs gets neither label nor mount
    const yaml = kindConfigToYaml(out);
    expect(yaml).toContain('nvidia.com/gpu.present: "true"');
    expect(parse(yaml)).toEqual(out);
  });
  it('quotes strings Go YAML 1.1 would read as booleans or numbers', () => {
    const yaml = kindConfigToYaml({ kind: 'Cluster', nodes: [{ role: 'worker', labels: { a: 'yes', b: 'on', c: '0755', d: 'true' } }] });
    expect(yaml).toContain('a: "yes"');
    expect(yaml).toContain('b: "on"');
    expect(yaml).toContain('c: "0755"');
    expect(yaml).toContain('d: "true"');
  });
});

describe('node names', () => {
  it('sorts numerically and maps 12 workers to their config nodes (worker10 after worker9)', () => {
    const names = ['k-worker10', 'k-worker', 'k-worker12', 'k-worker2', 'k-control-plane', 'k-worker11', ...[3, 4, 5, 6, 7, 8, 9].map((i) => `k-worker${i}`)];
    const sorted = sortKindNodeNames('k', names);
    expect(sorted.slice(0, 3)).toEqual(['k-control-plane', 'k-worker', 'k-worker2']);
    expect(sorted.slice(-3)).toEqual(['k-worker10', 'k-worker11', 'k-worker12']);
    const config = { ...buildKindConfig([...Array(12).keys()].map((i) => [i])), name: 'k' };
    const layout = layoutFromConfig(config, 12);
    const mapped = mapNodes(layout, names);
    expect(mapped.find((n) => n.name === 'k-worker10')?.gpus).toEqual([9]);
    expect(mapped.find((n) => n.name === 'k-worker2')?.gpus).toEqual([1]);
    expect(mapped.find((n) => n.name === 'k-worker')?.gpus).toEqual([0]);
  });
  it('refuses a cluster whose nodes do not match the config', () => {
    const layout = layoutFromConfig({ ...buildKindConfig([[0], [1]]), name: 'k' }, 2);
    expect(() => mapNodes(layout, ['k-control-plane', 'k-worker'])).toThrow(/do not match its config/);
  });
  it('refuses a config giving one GPU to two nodes or a GPU the host lacks', () => {
    expect(() => layoutFromConfig({ ...buildKindConfig([[0], [0]]), name: 'k' }, 2)).toThrow(/GPU 0 to both k-worker and k-worker2/);
    expect(() => layoutFromConfig({ ...buildKindConfig([[3]]), name: 'k' }, 2)).toThrow(/host has 2 GPUs/);
  });
});

describe('renderClusterConfig', () => {
  it('flags: 4 GPUs → control-plane + 4 GPU workers named kindling-worker…', async () => {
    const r = await renderClusterConfig(testContext(), { numGpus: 4 });
    expect(r.name).toBe('kindling');
    expect(r.layout.nodes.map((n) => [n.name, n.gpus])).toEqual([
      ['kindling-control-plane', []],
      ['kindling-worker', [0]],
      ['kindling-worker2', [1]],
      ['kindling-worker3', [2]],
      ['kindling-worker4', [3]],
    ]);
    expect(r.warnings).toEqual([]);
  });
  it('template mode renders nvkind examples with default values and numGPUs, and keeps their fields', async () => {
    const ctx = testContext();
    const one = await renderClusterConfig(ctx, { numGpus: 3, configTemplate: join(fixtures, 'one-worker-per-gpu.yaml') });
    expect(one.layout.nodes.filter((n) => n.role === 'worker').map((n) => n.gpus)).toEqual([[0], [1], [2]]);
    const def = await renderClusterConfig(ctx, { numGpus: 2, configTemplate: join(fixtures, 'default-config-template.yaml') });
    expect(def.layout.nodes.map((n) => n.gpus)).toEqual([[], 'all']);
    expect(def.config.nodes?.[1]?.labels).toEqual({ 'nvidia.com/gpu.present': 'true' });
    const explicit = await renderClusterConfig(ctx, {
      numGpus: 4,
      configTemplate: join(fixtures, 'explicit-gpus-per-worker.yaml'),
      configValues: '-',
      configValuesText: 'workers:\n- devices: 0\n- devices: [1, 2, 3]\n',
      name: 'custom',
    });
    expect(explicit.name).toBe('custom');
    expect(explicit.layout.nodes.map((n) => n.gpus)).toEqual([[], [0], [1, 2, 3]]);
    expect(explicit.raw).not.toContain('/var/lib/kindling/cache');
    expect(explicit.yaml).toContain('/var/lib/kindling/cache');
  });
  it('template errors name file:line:column; an unknown field in the output is named', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tmpl-'));
    writeFileSync(join(dir, 'bad.yaml'), 'kind: Cluster\nnodes:\n{{ range $.workers }\n');
    await expect(renderClusterConfig(testContext(), { numGpus: 1, configTemplate: join(dir, 'bad.yaml') })).rejects.toThrow(/bad\.yaml:3/);
    writeFileSync(join(dir, 'typo.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n  extraMount:\n  - hostPath: /dev/null\n    containerPath: /var/run/nvidia-container-devices/0\n');
    await expect(renderClusterConfig(testContext(), { numGpus: 1, configTemplate: join(dir, 'typo.yaml') })).rejects.toThrow('unknown field nodes[1].extraMount (did you mean extraMounts?)');
  });
  it('--gpus with --config-template is a usage error', async () => {
    await expect(renderClusterConfig(testContext(), { numGpus: 2, gpus: [0], configTemplate: 'x.yaml' })).rejects.toThrow(/cannot be combined/);
  });
});

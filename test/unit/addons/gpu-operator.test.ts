import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installGpuOperator, helmInstallArgv, waitForGpuOperator, gpuOperatorSnapshot, uninstallGpuOperator } from '../../../src/addons/gpu-operator.js';
import { gpuOperatorValues, gpuOperatorValuesFile, timeSlicingConfigMap, parseTimeSlicingReplicas } from '../../../src/addons/gpu-operator-values.js';
import { UserError } from '../../../src/core/errors.js';
import { testContext } from '../../helpers/context.js';
import type { FakeCommand } from '../../helpers/fake-runner.js';
import { MemoryKube, clusterConfig, clusterPolicy, node, runningPod } from './memory-kube.js';

const target = { clusterName: 'kindling', context: 'kind-kindling' };
const settings = { dcgmExporter: false };
const REPO_JSON = '[{"name":"nvidia","url":"https://helm.ngc.nvidia.com/nvidia"}]';
// Shape of `helm list -o json` (helm v3/v4: revision is a string, chart is name-version).
const DEPLOYED = '[{"name":"gpu-operator","namespace":"gpu-operator","revision":"1","updated":"2026-11-24 05:00:00.000000000 +0000 UTC","status":"deployed","chart":"gpu-operator-v26.3.3","app_version":"v26.3.3"}]';

function readyCluster(): MemoryKube {
  return new MemoryKube([
    node('kindling-control-plane', { controlPlane: true }),
    node('kindling-worker', { gpus: 1, gpuLabel: true }),
    node('kindling-worker2', { gpus: 1, gpuLabel: true }),
    clusterConfig({ 'kindling-worker': 1, 'kindling-worker2': 1 }),
    clusterPolicy('ready'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gpu-operator', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    runningPod('nvidia-device-plugin-daemonset-abcde', 'nvidia-device-plugin-daemonset', 'kindling-worker'),
    runningPod('nvidia-device-plugin-daemonset-fghij', 'nvidia-device-plugin-daemonset', 'kindling-worker2'),
  ]);
}

describe('GPU Operator values', () => {
  it('disables driver, toolkit and the MIG manager, enables CDI with runtimeClass nvidia', () => {
    const v = gpuOperatorValues(settings) as Record<string, Record<string, unknown>>;
    expect(v.driver).toEqual({ enabled: false });
    expect(v.toolkit).toEqual({ enabled: false });
    expect(v.cdi).toEqual({ enabled: true });
    expect(v.operator).toEqual({ runtimeClass: 'nvidia' });
    expect(v.migManager).toEqual({ enabled: false });
    expect(v.dcgmExporter).toEqual({ enabled: false });
    expect(v.devicePlugin).toBeUndefined();
  });

  it('the values file parses back to exactly the values kindling compares with helm get values', () => {
    const settings2 = { dcgmExporter: true, timeSlicing: 4 };
    expect(parse(gpuOperatorValuesFile(settings2))).toEqual(gpuOperatorValues(settings2));
  });

  it('time-slicing: devicePlugin config points at the ConfigMap profile, with N replicas', () => {
    const v = gpuOperatorValues({ dcgmExporter: false, timeSlicing: 4 }) as Record<string, unknown>;
    expect(v.devicePlugin).toEqual({ config: { name: 'time-slicing-config-all', default: 'any' } });
    const cm = timeSlicingConfigMap(4);
    expect(cm.metadata).toMatchObject({ name: 'time-slicing-config-all', namespace: 'gpu-operator' });
    expect(parse(cm.data.any)).toEqual({ version: 'v1', flags: { migStrategy: 'none' }, sharing: { timeSlicing: { resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } } });
    expect(parseTimeSlicingReplicas(cm.data.any)).toBe(4);
  });

  it('helm command: pinned chart, fixed release, namespace, values file, kube context', () => {
    expect(helmInstallArgv({ ...target, kubeconfig: '/k/config' }, '/s/values.yaml')).toEqual([
      'helm', 'upgrade', '--install', 'gpu-operator', 'nvidia/gpu-operator', '--version', 'v26.3.3', '--namespace', 'gpu-operator',
      '--create-namespace', '--values', '/s/values.yaml', '--kube-context', 'kind-kindling', '--kubeconfig', '/k/config',
    ]);
  });
});

describe('installGpuOperator', () => {
  it('fresh cluster: namespace, repo add, values file, helm upgrade --install, in that order', async () => {
    const kube = new MemoryKube([node('kindling-worker', { gpuLabel: true })]);
    const script: FakeCommand[] = [
      { match: ['helm', 'repo', 'list', '-o', 'json'], stdout: '[]\n' },
      { match: ['helm', 'repo', 'add', 'nvidia', 'https://helm.ngc.nvidia.com/nvidia'], stdout: '"nvidia" has been added to your repositories\n' },
      { match: ['helm', 'list', '...'], stdout: '[]\n' },
      { match: ['helm', 'upgrade', '--install', '...'], stdout: 'Release "gpu-operator" does not exist. Installing it now.\n' },
    ];
    const ctx = testContext(script);
    const r = await installGpuOperator(ctx, { target, kube, ...settings, wait: false });
    expect(r.changed).toBe(true);
    expect(kube.writes).toEqual(['apply Namespace gpu-operator']);
    expect(ctx.runner.mutatingCalls.map((c) => c.argv.slice(0, 3).join(' '))).toEqual(['helm repo add', 'helm upgrade --install']);
    const kinds = ctx.plan.entries.map((e) => e.action.kind);
    expect(kinds).toEqual(['command', 'file', 'command']);
    const file = ctx.plan.entries[1]?.action;
    expect(file?.kind === 'file' && parse(file.content)).toEqual(gpuOperatorValues(settings));
    const upgrade = ctx.runner.calls.find((c) => c.argv[1] === 'upgrade');
    expect(upgrade?.argv).not.toContain('--wait');
  });

  it('rerun on a ready release with the same chart and values: zero mutating calls', async () => {
    const kube = readyCluster();
    const ctx = testContext([
      { match: ['helm', 'repo', 'list', '-o', 'json'], stdout: REPO_JSON },
      { match: ['helm', 'list', '...'], stdout: DEPLOYED },
      { match: ['helm', 'get', 'values', '...'], stdout: JSON.stringify(gpuOperatorValues(settings)) },
    ]);
    const r = await installGpuOperator(ctx, { target, kube, ...settings, pollMs: 1 });
    expect(r.changed).toBe(false);
    expect(r.status?.ready).toBe(true);
    expect(ctx.runner.mutatingCalls).toEqual([]);
    expect(kube.writes).toEqual([]);
    expect(ctx.plan.mutatingCount).toBe(0);
  });

  it('changed values (time-slicing added) → ConfigMap applied and release upgraded', async () => {
    const kube = readyCluster();
    const ctx = testContext([
      { match: ['helm', 'repo', 'list', '-o', 'json'], stdout: REPO_JSON },
      { match: ['helm', 'list', '...'], stdout: DEPLOYED },
      { match: ['helm', 'get', 'values', '...'], stdout: JSON.stringify(gpuOperatorValues(settings)) },
      { match: ['helm', 'upgrade', '--install', '...'] },
    ]);
    await installGpuOperator(ctx, { target, kube, dcgmExporter: false, timeSlicing: 2, wait: false });
    expect(kube.writes).toEqual(['apply ConfigMap time-slicing-config-all']);
    expect(ctx.runner.mutatingCalls.map((c) => c.argv[1])).toEqual(['upgrade']);
  });

  it('a release left pending-install by an interrupted run is removed first', async () => {
    const kube = readyCluster();
    const ctx = testContext([
      { match: ['helm', 'repo', 'list', '-o', 'json'], stdout: REPO_JSON },
      { match: ['helm', 'list', '...'], stdout: DEPLOYED.replace('"deployed"', '"pending-install"') },
      { match: ['helm', 'uninstall', '...'] },
      { match: ['helm', 'upgrade', '--install', '...'] },
    ]);
    await installGpuOperator(ctx, { target, kube, ...settings, wait: false });
    expect(ctx.runner.mutatingCalls.map((c) => c.argv[1])).toEqual(['uninstall', 'upgrade']);
  });

  it('helm 3 "no repositories to show" counts as no repositories', async () => {
    const kube = readyCluster();
    const ctx = testContext([
      { match: ['helm', 'repo', 'list', '-o', 'json'], exitCode: 1, stderr: 'Error: no repositories to show\n' },
      { match: ['helm', 'repo', 'add', '...'] },
      { match: ['helm', 'list', '...'], stdout: DEPLOYED },
      { match: ['helm', 'get', 'values', '...'], stdout: JSON.stringify(gpuOperatorValues(settings)) },
    ]);
    await installGpuOperator(ctx, { target, kube, ...settings, wait: false });
    expect(ctx.runner.mutatingCalls.map((c) => c.argv.slice(0, 4).join(' '))).toEqual(['helm repo add nvidia']);
  });

  it('dry run: mutating commands are planned, not run; the Namespace is a planned manifest', async () => {
    const kube = new MemoryKube([]);
    const ctx = testContext([{ match: ['helm', 'repo', 'list', '-o', 'json'], stdout: '[]' }, { match: ['helm', 'list', '...'], stdout: '[]' }], { dryRun: true });
    await installGpuOperator(ctx, { target, kube, ...settings });
    expect(ctx.plan.render()).toMatch(/helm upgrade --install gpu-operator nvidia\/gpu-operator --version v26\.3\.3/);
    expect(ctx.plan.render()).toMatch(/waits until ClusterPolicy cluster-policy is ready/);
  });
});

describe('waitForGpuOperator', () => {
  it('reports operand progress, then returns when the policy is ready and each worker shows its GPUs', async () => {
    const kube = new MemoryKube([
      node('kindling-control-plane', { controlPlane: true }),
      node('kindling-worker', { gpuLabel: true }),
      node('kindling-worker2', { gpuLabel: true }),
      clusterConfig({ 'kindling-worker': 2, 'kindling-worker2': 1 }),
      clusterPolicy('notReady'),
      runningPod('nvidia-device-plugin-daemonset-aaaaa', 'nvidia-device-plugin-daemonset', 'kindling-worker', false),
    ]);
    let lists = 0;
    kube.onList = (k) => {
      lists += 1;
      if (lists === 8) {
        k.put(node('kindling-worker', { gpuLabel: true, gpus: 2 }));
        k.put(runningPod('nvidia-device-plugin-daemonset-aaaaa', 'nvidia-device-plugin-daemonset', 'kindling-worker', true));
      }
      if (lists === 16) {
        k.put(node('kindling-worker2', { gpuLabel: true, gpus: 1 }));
        k.put(clusterPolicy('ready'));
      }
    };
    const ctx = testContext([]);
    const s = await waitForGpuOperator(ctx, { target, kube, timeoutMs: 10_000, pollMs: 1 });
    expect(s.ready).toBe(true);
    expect(s.nodes).toEqual([
      { node: 'kindling-worker', expected: 2, allocatable: 2, ready: true },
      { node: 'kindling-worker2', expected: 1, allocatable: 1, ready: true },
    ]);
    const step = ctx.io.events.find((e) => e.type === 'step');
    expect(step?.type === 'step' && step.updates[0]).toMatch(/ClusterPolicy notReady · GPUs on 0\/2 workers · device-plugin-daemonset 0\/1/);
    expect(step?.type === 'step' && step.status).toBe('done');
  });

  it('a worker with fewer GPUs than assigned is not ready (1 of 2 allocatable)', async () => {
    const kube = new MemoryKube([node('kindling-worker', { gpuLabel: true, gpus: 1 }), clusterConfig({ 'kindling-worker': 2 }), clusterPolicy('ready')]);
    const s = await gpuOperatorSnapshot(kube, 'kind-kindling');
    expect(s.ready).toBe(false);
    expect(s.nodes[0]).toMatchObject({ expected: 2, allocatable: 1, ready: false });
  });

  it('time-slicing multiplies the expected allocatable', async () => {
    const kube = new MemoryKube([node('kindling-worker', { gpuLabel: true, gpus: 4 }), clusterConfig({ 'kindling-worker': 1 }), clusterPolicy('ready'), timeSlicingConfigMap(4)]);
    const s = await gpuOperatorSnapshot(kube, 'kind-kindling');
    expect(s.nodes[0]).toMatchObject({ expected: 4, allocatable: 4, ready: true });
    expect(s.timeSlicing).toBe(4);
  });

  it('timeout: a UserError (exit 1) with the validator diagnosis and its fix', async () => {
    const kube = new MemoryKube([
      node('kindling-worker', { gpuLabel: true }),
      clusterConfig({ 'kindling-worker': 1 }),
      clusterPolicy('notReady'),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'nvidia-operator-validator-x7k2p', namespace: 'gpu-operator', labels: { app: 'nvidia-operator-validator' } },
        spec: { nodeName: 'kindling-worker' },
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'driver-validation', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'toolkit-validation', restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } } },
          ],
        },
      },
    ]);
    kube.podLogs.set(
      'gpu-operator/nvidia-operator-validator-x7k2p/toolkit-validation/previous',
      'time="2026-11-24T05:10:00Z" level=info msg="version: 3e9b5d1e"\nFailed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "nvidia" is configured\n',
    );
    const ctx = testContext([]);
    const error = await waitForGpuOperator(ctx, { target, kube, timeoutMs: 30, pollMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/did not become ready within .*Likely cause: containerd in a GPU node has no "nvidia" runtime/);
    expect(e.details.join('\n')).toMatch(/nvidia-operator-validator-x7k2p on kindling-worker: Init:CrashLoopBackOff \(toolkit-validation, 5 restarts\)/);
    expect(e.details.join('\n')).toMatch(/no runtime for "nvidia" is configured/);
    expect(e.fix[0]).toMatch(/^kindling cluster create --name kindling/);
  });
});

describe('uninstallGpuOperator', () => {
  it('helm uninstall and the namespace; nothing when absent', async () => {
    const kube = readyCluster();
    const ctx = testContext([{ match: ['helm', 'list', '...'], stdout: DEPLOYED }, { match: ['helm', 'uninstall', '...'] }]);
    expect(await uninstallGpuOperator(ctx, target, kube)).toBe(true);
    expect(kube.writes).toEqual(['delete Namespace gpu-operator']);
    const ctx2 = testContext([{ match: ['helm', 'list', '...'], stdout: '[]' }]);
    expect(await uninstallGpuOperator(ctx2, target, kube)).toBe(false);
    expect(ctx2.runner.mutatingCalls).toEqual([]);
  });
});

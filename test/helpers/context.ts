/** Builds a Context for unit tests: recording io host, a strict fake runner, a temp host root. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from '../../src/core/context.js';
import { HostFiles } from '../../src/core/files.js';
import { RecordingIoHost } from '../../src/core/io.js';
import { Redactor } from '../../src/core/secrets.js';
import { FakeRunner, type FakeCommand } from './fake-runner.js';

export interface TestContext extends Context {
  io: RecordingIoHost;
  runner: FakeRunner;
}

export function testContext(
  script: FakeCommand[] = [],
  options: { dryRun?: boolean; assumeYes?: boolean; isRoot?: boolean; env?: NodeJS.ProcessEnv; hostRoot?: string; answers?: boolean[] } = {},
): TestContext {
  const runner = new FakeRunner(script, { dryRun: options.dryRun ?? false });
  const plan = runner.plan;
  const base = mkdtempSync(join(tmpdir(), 'kindling-unit-'));
  const paths = {
    hostRoot: options.hostRoot ?? join(base, 'root'),
    stateDir: join(base, 'state'),
    hostCacheDir: '/var/lib/kindling/cache',
  };
  const isRoot = options.isRoot ?? true;
  return {
    io: new RecordingIoHost(true, false, options.answers ?? []),
    runner,
    plan,
    files: new HostFiles(paths, plan, runner, isRoot),
    paths,
    redactor: new Redactor(),
    signal: new AbortController().signal,
    dryRun: plan.dryRun,
    assumeYes: options.assumeYes ?? false,
    isRoot,
    env: options.env ?? {},
    kubeTarget: {},
  };
}

/**
 * What every service receives: the io host, the process runner, the plan, host files, paths,
 * the redactor and the cancellation signal. Built once per command by src/cli/run.ts (createContext);
 * tests build one with fakes (test/helpers/context.ts).
 */
import type { HostFiles } from './files.js';
import type { IoHost } from './io.js';
import type { KindlingPaths } from './paths.js';
import type { Plan } from './plan.js';
import type { ProcessRunner } from './runner.js';
import type { Redactor } from './secrets.js';

export interface KubeTarget {
  /** kubeconfig context (--context); kind clusters are `kind-<name>`. */
  context?: string;
  /** kubeconfig file (--kubeconfig); defaults to $KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
}

export interface Context {
  io: IoHost;
  runner: ProcessRunner;
  plan: Plan;
  files: HostFiles;
  paths: KindlingPaths;
  redactor: Redactor;
  /** Aborted on Ctrl-C; pass it to anything that waits. */
  signal: AbortSignal;
  dryRun: boolean;
  /** --yes: answer confirmations with yes. */
  assumeYes: boolean;
  isRoot: boolean;
  env: NodeJS.ProcessEnv;
  kubeTarget: KubeTarget;
}

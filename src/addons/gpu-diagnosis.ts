/**
 * Why the GPU Operator is not ready: reads the operand pods (validator, device plugin …), their
 * status and last log lines, and maps what it finds to known causes, each with its fix
 * (reference: seed-tools.md §5–§6 and the GPU Operator / nvkind / kind issue threads named there).
 */
import type { KubeObject } from '../core/kube.js';
import { GPU_PRESENT_LABEL } from './cluster-layout.js';
import { GPU_OPERATOR_NAMESPACE } from './gpu-operator-values.js';
import type { AddonKube, AddonTarget } from './target.js';

export interface ContainerStatusLike {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: unknown };
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
  lastState?: { terminated?: { exitCode?: number; reason?: string; message?: string } };
}

export interface PodLike extends KubeObject {
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: ContainerStatusLike[];
    containerStatuses?: ContainerStatusLike[];
  };
}

export interface DaemonSetLike extends KubeObject {
  status?: { desiredNumberScheduled?: number; numberReady?: number; numberAvailable?: number };
}

export interface KnownCause {
  id: string;
  title: string;
  explanation: string;
  fix: string[];
}

export interface PodFinding {
  pod: string;
  component: string;
  node?: string;
  /** e.g. "Init:CrashLoopBackOff (toolkit-validation, 5 restarts)". */
  status: string;
  /** Container whose log was read. */
  container?: string;
  logTail: string[];
  /** Recent Warning events about the pod (reason: message), newest last. */
  events?: string[];
}

interface EventLike extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
}

export interface Diagnosis {
  findings: PodFinding[];
  causes: KnownCause[];
  /** Facts found outside pods (DaemonSets with nothing scheduled …). */
  notes: string[];
}

/** The operand a pod belongs to (its `app` label, as the operator's assets set it). */
export function componentOf(pod: Pick<KubeObject, 'metadata'>): string {
  const labels = pod.metadata.labels ?? {};
  return labels.app ?? labels['app.kubernetes.io/component'] ?? labels['app.kubernetes.io/name'] ?? pod.metadata.name.replace(/-[a-z0-9]{5}$/, '');
}

export function podReady(pod: PodLike): boolean {
  if (pod.status?.phase === 'Succeeded') return true;
  if (pod.status?.phase !== 'Running') return false;
  const ready = pod.status.conditions?.find((c) => c.type === 'Ready');
  if (ready) return ready.status === 'True';
  return (pod.status.containerStatuses ?? []).every((c) => c.ready === true);
}

/** kubectl-like one-word status plus the container it is about. */
export function podStatus(pod: PodLike): { text: string; container?: string; previous: boolean; restarts: number } {
  const s = pod.status ?? {};
  const inits = s.initContainerStatuses ?? [];
  for (const c of inits) {
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    const restarts = c.restartCount ?? 0;
    if (c.state?.waiting?.reason) {
      return { text: `Init:${c.state.waiting.reason} (${c.name}${restarts ? `, ${restarts} restarts` : ''})`, container: c.name, previous: restarts > 0, restarts };
    }
    if (t) return { text: `Init:Error (${c.name}, exit ${t.exitCode ?? '?'})`, container: c.name, previous: false, restarts };
    if (c.state?.running) return { text: `Init:Running (${c.name})`, container: c.name, previous: false, restarts };
    return { text: `Init:Waiting (${c.name})`, container: c.name, previous: false, restarts };
  }
  for (const c of s.containerStatuses ?? []) {
    const restarts = c.restartCount ?? 0;
    if (c.state?.waiting?.reason) {
      return { text: `${c.state.waiting.reason} (${c.name}${restarts ? `, ${restarts} restarts` : ''})`, container: c.name, previous: restarts > 0, restarts };
    }
    if (c.state?.terminated && c.state.terminated.exitCode !== 0) {
      return { text: `Error (${c.name}, exit ${c.state.terminated.exitCode ?? '?'})`, container: c.name, previous: false, restarts };
    }
  }
  const unschedulable = s.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unschedulable) return { text: `Pending: ${unschedulable.message ?? unschedulable.reason ?? 'not scheduled'}`, previous: false, restarts: 0 };
  const first = s.containerStatuses?.[0]?.name;
  return { text: s.phase ?? 'Unknown', ...(first ? { container: first } : {}), previous: false, restarts: 0 };
}

interface CausePattern {
  test: RegExp;
  cause: (t: AddonTarget) => KnownCause;
}

const nodeSetupFix = (t: AddonTarget) => `kindling cluster create --name ${t.clusterName}`;

/** Text patterns in pod status messages and logs → known causes. Order = most specific first. */
const PATTERNS: CausePattern[] = [
  {
    test: /no runtime for "?nvidia"? is configured/i,
    cause: (t) => ({
      id: 'nvidia-runtime-missing',
      title: 'containerd in a GPU node has no "nvidia" runtime',
      explanation:
        'Pods with runtimeClassName nvidia cannot start: the NVIDIA Container Toolkit was not configured inside the kind node (node setup did not finish, or the node was recreated).',
      fix: [`${nodeSetupFix(t)}   # resumes the per-node GPU setup (toolkit + containerd runtime)`, `kindling cluster gpus --name ${t.clusterName}`],
    }),
  },
  {
    test: /stat failed: \/proc\/driver\/nvidia\/capabilities/i,
    cause: (t) => ({
      id: 'proc-driver-nvidia-masked',
      title: '/proc/driver/nvidia is masked inside the node',
      explanation:
        "The toolkit's legacy mode masks /proc/driver/nvidia with a tmpfs in the kind node, so containers cannot see the GPU capabilities (kind#3164).",
      fix: [`${nodeSetupFix(t)}   # redoes the node's /proc/driver/nvidia handling`, `docker exec ${t.clusterName}-worker umount -R /proc/driver/nvidia   # manual workaround, per node`],
    }),
  },
  {
    test: /could not load NVML|failed to initialize NVML|libnvidia-ml\.so[^\n]*(not found|cannot open)|nvidia-smi[^\n]*(not found|no such file)/i,
    cause: () => ({
      id: 'driver-not-injected',
      title: 'the GPU node does not see the NVIDIA driver',
      explanation:
        "The driver libraries are not injected into the kind node: the host's Docker is not set up for GPU injection (default runtime nvidia, accept-nvidia-visible-devices-as-volume-mounts = true).",
      fix: ['kindling doctor', 'kindling host setup'],
    }),
  },
  {
    test: /\/dev\/char/i,
    cause: () => ({
      id: 'dev-char-symlinks',
      title: 'the validator could not create /dev/char symlinks',
      explanation: 'The driver validation creates /dev/char links for the NVIDIA devices; inside a kind node that can fail.',
      fix: ['helm upgrade gpu-operator nvidia/gpu-operator -n gpu-operator --reuse-values --set validator.driver.env[0].name=DISABLE_DEV_CHAR_SYMLINK_CREATION --set-string validator.driver.env[0].value=true'],
    }),
  },
  {
    test: /ImagePullBackOff|ErrImagePull|failed to pull image|pull access denied|i\/o timeout[^\n]*(nvcr\.io|registry)/i,
    cause: (t) => ({
      id: 'image-pull',
      title: 'operand images cannot be pulled',
      explanation:
        'The nodes cannot pull the GPU Operator images (nvcr.io, registry.k8s.io): no network, a proxy, or a blocked registry. Pull them on the host (or through a mirror) and load them into the cluster.',
      fix: ['docker pull <image>   # on the host, or from a mirror, then tag it with the original name', `kind load docker-image <image> --name ${t.clusterName}`],
    }),
  },
  {
    test: /Insufficient nvidia\.com\/gpu/i,
    cause: (t) => ({
      id: 'gpu-not-allocatable',
      title: 'no node offers nvidia.com/gpu',
      explanation: 'A pod asks for a GPU but no node advertises nvidia.com/gpu: the device plugin is not running on the GPU workers yet.',
      fix: [`kindling addons status --name ${t.clusterName}`, `kubectl get pods -n ${GPU_OPERATOR_NAMESPACE} -l app=nvidia-device-plugin-daemonset -o wide --context ${t.context}`],
    }),
  },
];

function toolkitValidationCause(t: AddonTarget): KnownCause {
  return {
    id: 'toolkit-validation',
    title: "the validator's toolkit check fails",
    explanation:
      "The operator was installed with toolkit.enabled=false (kindling sets up the toolkit in each GPU node), so the validator runs nvidia-smi through the node's own toolkit; it fails when that setup is missing or broken.",
    fix: [`${nodeSetupFix(t)}   # resumes the per-node toolkit setup`, 'kindling doctor'],
  };
}

function gpuLabelCause(t: AddonTarget, nodes: string[]): KnownCause {
  const list = nodes.length > 0 ? nodes : [`${t.clusterName}-worker`];
  return {
    id: 'gpu-present-label-missing',
    title: 'the device plugin is scheduled on 0 nodes',
    explanation: `The operator deploys its operands only on nodes labelled ${GPU_PRESENT_LABEL}=true (or with NFD's NVIDIA PCI labels); no GPU worker has it.`,
    fix: list.map((n) => `kubectl label node ${n} ${GPU_PRESENT_LABEL}=true --overwrite --context ${t.context}`),
  };
}

/** Known causes in a text (pod messages + logs). */
export function matchCauses(text: string, target: AddonTarget): KnownCause[] {
  return PATTERNS.filter((p) => p.test.test(text)).map((p) => p.cause(target));
}

/** Pods whose state says kindling can stop waiting: a known cause in a crash-looping container. */
export function isFatal(finding: PodFinding, causes: KnownCause[]): boolean {
  return causes.length > 0 && /CrashLoopBackOff/.test(finding.status) && /(\d+) restarts/.test(finding.status) && Number(/(\d+) restarts/.exec(finding.status)?.[1]) >= 3;
}

const WATCHED = new Set(['nvidia-operator-validator', 'nvidia-device-plugin-daemonset', 'nvidia-cuda-validator', 'gpu-operator', 'gpu-feature-discovery', 'nvidia-container-toolkit-daemonset', 'nvidia-dcgm-exporter']);

/** Reads the operand pods and DaemonSets and explains what is wrong. */
export async function diagnoseGpuOperator(kube: AddonKube, target: AddonTarget, gpuNodes: string[], logLines = 8): Promise<Diagnosis> {
  const pods = await kube.list<PodLike>('v1', 'Pod', { namespace: GPU_OPERATOR_NAMESPACE });
  // Sandbox and image-pull failures show only in events (FailedCreatePodSandBox, Failed), not in logs.
  const events = await kube.list<EventLike>('v1', 'Event', { namespace: GPU_OPERATOR_NAMESPACE });
  const warningsFor = (pod: string) =>
    events
      .filter((e) => e.type === 'Warning' && e.involvedObject?.kind === 'Pod' && e.involvedObject.name === pod)
      .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}${e.count && e.count > 1 ? ` (×${e.count})` : ''}`)
      .slice(-3);
  const findings: PodFinding[] = [];
  const causes = new Map<string, KnownCause>();
  const notes: string[] = [];
  const add = (list: KnownCause[]) => list.forEach((c) => causes.set(c.id, c));

  for (const pod of pods) {
    if (podReady(pod)) continue;
    const component = componentOf(pod);
    const status = podStatus(pod);
    const relevant = WATCHED.has(component) || /BackOff|Err|Error|Pending/.test(status.text);
    if (!relevant) continue;
    let logTail: string[] = [];
    if (status.container && !/^Pending/.test(status.text) && !/ImagePull|ErrImage|ContainerCreating|PodInitializing/.test(status.text)) {
      const text = await kube.logs(GPU_OPERATOR_NAMESPACE, pod.metadata.name, {
        container: status.container,
        tailLines: logLines,
        ...(status.previous ? { previous: true } : {}),
      });
      logTail = text.split('\n').filter((l) => l.trim() !== '').slice(-logLines);
    }
    const messages = [
      status.text,
      pod.status?.message ?? '',
      ...(pod.status?.conditions ?? []).map((c) => c.message ?? ''),
      ...[...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].flatMap((c) => [
        c.state?.waiting?.message ?? '',
        c.state?.terminated?.message ?? '',
        c.lastState?.terminated?.message ?? '',
      ]),
      ...logTail,
      ...warningsFor(pod.metadata.name),
    ].join('\n');
    const podEvents = warningsFor(pod.metadata.name);
    const matched = matchCauses(messages, target);
    if (matched.length === 0 && /toolkit-validation/.test(status.text) && /CrashLoopBackOff|Error/.test(status.text)) matched.push(toolkitValidationCause(target));
    add(matched);
    findings.push({
      pod: pod.metadata.name,
      component,
      ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
      status: status.text,
      ...(status.container ? { container: status.container } : {}),
      logTail,
      ...(podEvents.length > 0 ? { events: podEvents } : {}),
    });
  }

  const daemonSets = await kube.list<DaemonSetLike>('apps/v1', 'DaemonSet', { namespace: GPU_OPERATOR_NAMESPACE });
  const plugin = daemonSets.find((d) => d.metadata.name === 'nvidia-device-plugin-daemonset');
  if (plugin && (plugin.status?.desiredNumberScheduled ?? 0) === 0 && gpuNodes.length > 0) {
    notes.push('DaemonSet nvidia-device-plugin-daemonset wants 0 pods (no node is selected as a GPU node).');
    add([gpuLabelCause(target, gpuNodes)]);
  }
  if (!plugin && daemonSets.length > 0) {
    const nodes = await kube.list<KubeObject>('v1', 'Node');
    const labelled = nodes.filter((n) => n.metadata.labels?.[GPU_PRESENT_LABEL] === 'true');
    if (labelled.length === 0) {
      notes.push(`No node is labelled ${GPU_PRESENT_LABEL}=true: the operator has no GPU node to deploy the device plugin on.`);
      add([gpuLabelCause(target, gpuNodes)]);
    }
  }
  return { findings, causes: [...causes.values()], notes };
}

/** Diagnosis as indented lines for an error's details. */
export function renderDiagnosis(d: Diagnosis): string[] {
  const lines: string[] = [];
  for (const f of d.findings) {
    lines.push(`${f.pod}${f.node ? ` on ${f.node}` : ''}: ${f.status}`);
    for (const l of f.logTail) lines.push(`    ${f.container ?? ''}| ${l}`);
    for (const e of f.events ?? []) lines.push(`    event ${e}`);
  }
  for (const n of d.notes) lines.push(n);
  for (const c of d.causes) lines.push(`Likely cause: ${c.title}. ${c.explanation}`);
  return lines;
}

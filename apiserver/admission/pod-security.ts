/**
 * PodSecurity admission (Pod Security Admission): namespace labels
 * `pod-security.kubernetes.io/<mode>=privileged|baseline|restricted` with mode
 *  - enforce: a new pod breaking the level is refused, `violates PodSecurity "<level>:latest": ...`,
 *    and so is an update that changes what is judged (an image, containers, ephemeral containers;
 *    metadata-only, toleration or activeDeadlineSeconds updates pass, as in Kubernetes);
 *  - warn: the create still succeeds, with a `would violate PodSecurity ...` Warning kubectl prints
 *    (also for workloads' pod templates on create and update; an enforce level also warns on them,
 *    as Kubernetes);
 *  - audit: violations are logged by the apiserver (kubesim has no audit log).
 * `<mode>-version` labels are accepted and read as latest. The checks are in pod-security-checks.ts.
 */
import { ApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import { logLine } from '../rest/log.js';
import { evaluatePodSecurity, formatViolations, type CheckedPodMeta, type CheckedPodSpec } from './pod-security-checks.js';
import type { AdmissionAttributes, AdmissionPlugin, AdmissionStore } from './types.js';

const PREFIX = 'pod-security.kubernetes.io/';
const LEVELS = ['privileged', 'baseline', 'restricted'];

/** Where a kind keeps its pod template (Kubernetes' PodSpecExtractor). */
const TEMPLATES: Record<string, (o: KObject) => { metadata?: CheckedPodMeta; spec?: CheckedPodSpec } | undefined> = {
  pods: (o) => o as never,
  podtemplates: (o) => (o as { template?: never }).template,
  replicationcontrollers: (o) => (o.spec as { template?: never } | undefined)?.template,
  replicasets: (o) => (o.spec as { template?: never } | undefined)?.template,
  deployments: (o) => (o.spec as { template?: never } | undefined)?.template,
  statefulsets: (o) => (o.spec as { template?: never } | undefined)?.template,
  daemonsets: (o) => (o.spec as { template?: never } | undefined)?.template,
  jobs: (o) => (o.spec as { template?: never } | undefined)?.template,
  cronjobs: (o) => (o.spec as { jobTemplate?: { spec?: { template?: never } } } | undefined)?.jobTemplate?.spec?.template,
};

/** Pod subresources PodSecurity never looks at (they cannot change the pod's spec); any other is evaluated. */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

interface UpdatedContainer { name?: string; image?: string }
interface UpdatedPod { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: UpdatedContainer[]; initContainers?: UpdatedContainer[]; ephemeralContainers?: UpdatedContainer[] } }

/**
 * Whether a pod update can change what PodSecurity judges (Kubernetes' isSignificantPodUpdate):
 * containers added or removed, an image changed (or a container's seccomp annotation), an
 * ephemeral container added or changed. Updates of labels, annotations, tolerations,
 * activeDeadlineSeconds, ... are let through unevaluated (the garbage collector, for one, must
 * always be able to edit a pod's metadata).
 */
export function isSignificantPodUpdate(podObject: object, oldObject: object): boolean {
  const pod = podObject as UpdatedPod;
  const old = oldObject as UpdatedPod;
  const ann = pod.metadata?.annotations ?? {};
  const oldAnn = old.metadata?.annotations ?? {};
  const changed = (c: UpdatedContainer, o: UpdatedContainer) => c.image !== o.image
    || ann[`container.seccomp.security.alpha.kubernetes.io/${c.name}`] !== oldAnn[`container.seccomp.security.alpha.kubernetes.io/${c.name}`];
  for (const k of ['containers', 'initContainers'] as const) {
    const now = pod.spec?.[k] ?? [];
    const before = old.spec?.[k] ?? [];
    if (now.length !== before.length || now.some((c, i) => changed(c, before[i]))) return true;
  }
  return (pod.spec?.ephemeralContainers ?? []).some((c) => {
    const o = (old.spec?.ephemeralContainers ?? []).find((x) => x.name === c.name);
    return !o || changed(c, o);
  });
}

/** The level a label asks for; an invalid enforce value fails closed (restricted), others are ignored. */
function levelOf(labels: Record<string, string>, mode: 'enforce' | 'warn' | 'audit'): string | undefined {
  const v = labels[`${PREFIX}${mode}`];
  if (v === undefined) return undefined;
  if (LEVELS.includes(v)) return v;
  return mode === 'enforce' ? 'restricted' : undefined;
}

/** The violations text of `level` for a pod template, or '' when it complies. */
export function podSecurityViolations(level: string, spec: CheckedPodSpec, meta: CheckedPodMeta = {}): string {
  return formatViolations(evaluatePodSecurity(level, meta, spec));
}

/**
 * Warnings when a namespace's enforce level changes and its pods break the new level, as
 * Kubernetes words them: one line naming the level, then `pod: reasons` (identical results
 * grouped as `pod (and N other pods): reasons`).
 */
export function existingPodWarnings(namespace: string, level: string, pods: KObject[]): string[] {
  const byReasons = new Map<string, string[]>();
  for (const p of [...pods].sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''))) {
    if (p.metadata?.deletionTimestamp) continue;
    const reasons = [...new Set(evaluatePodSecurity(level, (p.metadata ?? {}) as CheckedPodMeta, (p.spec ?? {}) as CheckedPodSpec).map((v) => v.reason))].join(', ');
    if (reasons) byReasons.set(reasons, [...(byReasons.get(reasons) ?? []), p.metadata?.name ?? '']);
  }
  if (!byReasons.size) return [];
  return [`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${level}:latest"`,
    ...[...byReasons].map(([reasons, names]) => (names.length > 1 ? `${names[0]} (and ${names.length - 1} other pods): ${reasons}` : `${names[0]}: ${reasons}`))];
}

/** A namespace update that changes its enforce level: warn about the pods already there. */
async function checkNamespaceUpdate(a: AdmissionAttributes, pods: Pick<AdmissionStore, 'list'> | undefined): Promise<void> {
  const next = levelOf((a.object?.metadata?.labels ?? {}) as Record<string, string>, 'enforce');
  const prev = levelOf((a.oldObject?.metadata?.labels ?? {}) as Record<string, string>, 'enforce');
  if (!pods || !next || next === prev || next === 'privileged') return;
  const warnings = existingPodWarnings(a.name, next, await pods.list('pods', a.name));
  if (warnings.length) (a.ctx.warnings ??= []).push(...warnings);
}

/** The plugin; `namespaceLabels` reads a namespace's labels (late-bound to the registry), `pods` lists a namespace's pods. */
export function podSecurityPlugin(namespaceLabels: (ns: string) => Promise<Record<string, string>>, pods?: Pick<AdmissionStore, 'list'>): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    type: 'validating',
    async admit(a: AdmissionAttributes) {
      if (a.operation === 'UPDATE' && a.ref.group === '' && a.ref.resource === 'namespaces' && !a.subresource) return checkNamespaceUpdate(a, pods);
      const template = TEMPLATES[a.ref.resource];
      if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !template || !a.object || !a.namespace) return;
      if (a.ref.group !== '' && !['apps', 'batch'].includes(a.ref.group)) return;
      const isPod = a.ref.group === '' && a.ref.resource === 'pods';
      // Workloads: only the main resource (their template); pods: any subresource that can carry a
      // new spec (ephemeralcontainers), and an update only when it changes what is judged.
      if (a.subresource && (!isPod || IGNORED_POD_SUBRESOURCES.has(a.subresource))) return;
      if (isPod && a.operation === 'UPDATE' && a.oldObject && !isSignificantPodUpdate(a.object, a.oldObject)) return;
      const pod = template(a.object);
      if (!pod?.spec) return;
      const labels = await namespaceLabels(a.namespace);
      const check = (level: string | undefined) => (level ? podSecurityViolations(level, pod.spec!, pod.metadata ?? {}) : '');
      const enforce = levelOf(labels, 'enforce');
      if (isPod && enforce) {
        const v = check(enforce);
        if (v) throw new ApiError('Forbidden', `pods "${a.name}" is forbidden: violates PodSecurity "${enforce}:latest": ${v}`, { name: a.name, kind: 'pods' });
      }
      // Without a warn label the enforce level warns (for workloads, where enforce does not apply).
      const warn = levelOf(labels, 'warn') ?? (isPod ? undefined : enforce);
      const w = check(warn);
      if (w) (a.ctx.warnings ??= []).push(`would violate PodSecurity "${warn}:latest": ${w}`);
      const audit = levelOf(labels, 'audit');
      const au = check(audit);
      if (au) logLine('info', 'PodSecurity audit', { resource: a.ref.resource, object: `${a.namespace}/${a.name}`, level: `${audit}:latest`, violations: au });
    },
  };
}

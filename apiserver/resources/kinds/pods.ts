/**
 * Pods: defaults, validation (create and the narrow set of allowed updates), the initial status
 * (phase Pending + QoS class), field selectors and the pod table.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { Pod, PodSpec, Container } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { tryParseQuantity, addQuantities, compareQuantities, type Quantity } from '../../../lib/api/quantity.js';
import { defaultPodSpec, validatePodSpec } from '../common/pod-spec.js';
import { forbidden, jsonEqual } from '../common/field.js';
import { POD_COLUMNS, podRow } from '../printers/pod.js';

/** Kubernetes' message for a forbidden pod spec update. */
export const POD_UPDATE_FORBIDDEN = 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const QOS_RESOURCES = ['cpu', 'memory'];

function nonZero(raw: string | undefined): Quantity | undefined {
  const q = tryParseQuantity(raw);
  return q && q.num !== 0n ? q : undefined;
}

/** The pod's QoS class (Guaranteed, Burstable, BestEffort), as Kubernetes' GetPodQOS computes it. */
export function podQOSClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const sum = (m: Map<string, Quantity>, k: string, q: Quantity) => m.set(k, m.has(k) ? addQuantities(m.get(k)!, q) : q);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Container[]) {
    const seenLimits = new Set<string>();
    for (const k of QOS_RESOURCES) {
      const r = nonZero(c.resources?.requests?.[k]);
      if (r) sum(requests, k, r);
      const l = nonZero(c.resources?.limits?.[k]);
      if (l) { sum(limits, k, l); seenLimits.add(k); }
    }
    if (seenLimits.size !== QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, r] of requests) {
      const l = limits.get(k);
      if (!l || compareQuantities(l, r) !== 0) { guaranteed = false; break; }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** The spec with the fields a pod update may change replaced by the old values. */
function maskMutable(spec: PodSpec, old: PodSpec): PodSpec {
  const m = structuredClone(spec);
  m.containers = (m.containers ?? []).map((c, i) => ({ ...c, image: old.containers?.[i]?.image }));
  m.initContainers = m.initContainers?.map((c, i) => ({ ...c, image: old.initContainers?.[i]?.image }));
  if (old.initContainers === undefined && m.initContainers?.length === 0) delete m.initContainers;
  m.activeDeadlineSeconds = old.activeDeadlineSeconds;
  // Tolerations may only be added: keep the new list when it still holds every old toleration.
  const oldTol = old.tolerations ?? [];
  if (oldTol.every((t) => (m.tolerations ?? []).some((n) => jsonEqual(n, t)))) m.tolerations = old.tolerations;
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && m.terminationGracePeriodSeconds === 1) m.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  return m;
}

function validatePodUpdate(obj: KObject, old: KObject): FieldError[] {
  const spec = (obj as Pod).spec ?? {};
  const errs = validatePodSpec(spec, 'spec');
  if (!jsonEqual(maskMutable(spec, (old as Pod).spec ?? {}), (old as Pod).spec ?? {})) errs.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}

/** Pod behaviour. */
export const pods: KindBehaviour = {
  defaults(obj) {
    const pod = obj as Pod;
    pod.spec ??= {};
    defaultPodSpec(pod.spec);
    // What the ServiceAccount and Priority admission plugins set on every pod.
    pod.spec.serviceAccountName ??= 'default';
    pod.spec.serviceAccount ??= pod.spec.serviceAccountName;
    pod.spec.priority ??= 0;
  },
  validateCreate: (obj) => validatePodSpec((obj as Pod).spec, 'spec'),
  validateUpdate: validatePodUpdate,
  prepareForCreate(obj) {
    const pod = obj as Pod;
    pod.status = { phase: 'Pending', qosClass: podQOSClass(pod.spec ?? {}) };
  },
  fieldValues(obj) {
    const pod = obj as Pod;
    return {
      'spec.nodeName': pod.spec?.nodeName ?? '',
      'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
      'spec.schedulerName': pod.spec?.schedulerName ?? '',
      'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
      'status.phase': pod.status?.phase ?? '',
      'status.podIP': pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '',
      'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
    };
  },
  tableColumns: POD_COLUMNS,
  tableRow: podRow,
};

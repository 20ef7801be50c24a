/**
 * Slim views: the few fields of each object the page draws. The browser gets these instead of
 * whole objects so a 3,000-pod snapshot stays small and every watch event is a short message.
 * The full object is fetched on demand (YAML view).
 */
import type { KObject } from '../../lib/api/object.js';

/** Kinds the dashboard watches, by Kind. */
export const WATCHED_KINDS = ['Node', 'Pod', 'Service', 'Endpoints', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Event'] as const;
/** One of WATCHED_KINDS. */
export type WatchedKind = typeof WATCHED_KINDS[number];

/** What every slim view carries. */
export interface SlimBase { kind: WatchedKind; key: string; ns?: string; name: string; uid?: string; rv?: string; labels?: Record<string, string>; owner?: { kind: string; name: string } }
/** A slim view: base fields plus kind-specific ones. */
export type Slim = SlimBase & Record<string, unknown>;

// Loose accessors: informer objects are plain JSON of any kind.
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The browser-side key of an object: Kind/namespace/name (namespace empty for cluster objects). */
export function slimKey(kind: string, ns: string | undefined, name: string): string {
  return `${kind}/${ns ?? ''}/${name}`;
}

function base(kind: WatchedKind, obj: KObject): SlimBase {
  const m = obj.metadata ?? {};
  const ctrl = m.ownerReferences?.find((r) => r.controller) ?? m.ownerReferences?.[0];
  const out: SlimBase = { kind, key: slimKey(kind, m.namespace, m.name ?? ''), name: m.name ?? '' };
  if (m.namespace) out.ns = m.namespace;
  if (m.uid) out.uid = m.uid;
  if (m.resourceVersion) out.rv = m.resourceVersion; // lets an open YAML view refresh when the object changes
  if (m.labels && Object.keys(m.labels).length) out.labels = m.labels;
  if (ctrl) out.owner = { kind: ctrl.kind, name: ctrl.name };
  return out;
}

function condition(obj: Any, type: string): string | undefined {
  return (obj.status?.conditions as Any[] | undefined)?.find((c) => c.type === type)?.status;
}

function slimNode(o: Any): Record<string, unknown> {
  const addrs = (o.status?.addresses ?? []) as Any[];
  const ann = (o.metadata?.annotations ?? {}) as Record<string, string>;
  return {
    ip: addrs.find((a) => a.type === 'InternalIP')?.address ?? '',
    podCIDR: o.spec?.podCIDR ?? ann['flannel.alpha.coreos.com/subnet'] ?? '',
    backend: ann['flannel.alpha.coreos.com/backend-type'] ?? '',
    ready: condition(o, 'Ready') ?? 'Unknown',
    unschedulable: !!o.spec?.unschedulable,
    hollow: o.metadata?.labels?.['kubesim.io/hollow'] === 'true',
  };
}

function slimPod(o: Any): Record<string, unknown> {
  const statuses = (o.status?.containerStatuses ?? []) as Any[];
  const waiting = statuses.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find(Boolean);
  return {
    node: o.spec?.nodeName ?? '',
    phase: o.status?.phase ?? 'Pending',
    ready: condition(o, 'Ready') === 'True',
    restarts: statuses.reduce((n, c) => n + (Number(c.restartCount) || 0), 0),
    ip: o.status?.podIP ?? '',
    reason: o.metadata?.deletionTimestamp ? 'Terminating' : (waiting ?? o.status?.reason ?? ''),
    containers: ((o.spec?.containers ?? []) as Any[]).map((c) => c.name as string),
    decided: !!o.metadata?.annotations?.['scheduler.kubesim.io/decision'],
  };
}

function slimService(o: Any): Record<string, unknown> {
  return {
    type: o.spec?.type ?? 'ClusterIP',
    clusterIP: o.spec?.clusterIP ?? '',
    ports: ((o.spec?.ports ?? []) as Any[]).map((p) => ({ port: p.port, targetPort: p.targetPort, nodePort: p.nodePort, protocol: p.protocol ?? 'TCP', name: p.name })),
    selector: o.spec?.selector ?? {},
  };
}

function slimEndpoints(o: Any): Record<string, unknown> {
  const addresses: Array<{ ip: string; pod?: string; node?: string; ready: boolean }> = [];
  for (const s of (o.subsets ?? []) as Any[]) {
    for (const [list, ready] of [[s.addresses, true], [s.notReadyAddresses, false]] as const) {
      for (const a of (list ?? []) as Any[]) addresses.push({ ip: a.ip, pod: a.targetRef?.name, node: a.nodeName, ready });
    }
  }
  return { addresses };
}

function slimWorkload(o: Any): Record<string, unknown> {
  const s = o.status ?? {};
  const ann = (o.metadata?.annotations ?? {}) as Record<string, string>;
  return {
    replicas: o.spec?.replicas ?? s.desiredNumberScheduled ?? o.spec?.parallelism,
    current: s.replicas ?? s.currentNumberScheduled ?? s.active ?? 0,
    ready: s.readyReplicas ?? s.numberReady ?? s.ready ?? 0,
    updated: s.updatedReplicas ?? s.updatedNumberScheduled,
    available: s.availableReplicas ?? s.numberAvailable,
    succeeded: s.succeeded, failed: s.failed,
    revision: ann['deployment.kubernetes.io/revision'],
    hash: o.metadata?.labels?.['pod-template-hash'] ?? o.metadata?.labels?.['controller-revision-hash'],
    schedule: o.spec?.schedule, suspend: o.spec?.suspend, lastSchedule: s.lastScheduleTime,
    image: ((o.spec?.template?.spec?.containers ?? o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []) as Any[])[0]?.image,
  };
}

function slimEvent(o: Any): Record<string, unknown> {
  const r = o.involvedObject ?? o.regarding ?? {};
  return {
    type: o.type ?? 'Normal', reason: o.reason ?? '', message: o.message ?? o.note ?? '',
    involved: { kind: r.kind ?? '', ns: r.namespace ?? '', name: r.name ?? '' },
    count: o.count ?? o.series?.count ?? 1,
    last: o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp ?? '',
    source: o.source?.component ?? o.reportingComponent ?? o.reportingController ?? '',
  };
}

const EXTRA: Record<WatchedKind, (o: Any) => Record<string, unknown>> = {
  Node: slimNode, Pod: slimPod, Service: slimService, Endpoints: slimEndpoints,
  Deployment: slimWorkload, ReplicaSet: slimWorkload, StatefulSet: slimWorkload, DaemonSet: slimWorkload,
  Job: slimWorkload, CronJob: slimWorkload, Event: slimEvent,
};

/** The slim view of `obj` as a `kind`; undefined-valued fields are dropped to keep messages short. */
export function slim(kind: WatchedKind, obj: KObject): Slim {
  const out: Slim = { ...base(kind, obj), ...EXTRA[kind](obj as Any) };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

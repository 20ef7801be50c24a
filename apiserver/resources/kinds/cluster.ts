/**
 * Cluster-level kinds: nodes (taints, podCIDR, cordon field selector), namespaces (DNS-label
 * names, finalizers kept on update), events in both API shapes, leases, controller revisions,
 * component statuses.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { Node, Namespace, Event, Lease } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { isQualifiedName, validateLabelValue } from '../../../lib/labels/validation.js';
import { nameIsDNSLabel } from '../common/meta.js';
import { eventsV1ToCore } from '../convert/events.js';
import { duplicate, forbidden, invalidIf, invalidValue, notSupported, required } from '../common/field.js';
import { NODE_COLUMNS, nodeRow, NAMESPACE_COLUMNS, namespaceRow, EVENT_COLUMNS, eventRow, LEASE_COLUMNS, leaseRow, CONTROLLER_REVISION_COLUMNS, controllerRevisionRow, COMPONENT_STATUS_COLUMNS, componentStatusRow } from '../printers/cluster.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function validCIDR(s: string): boolean {
  const m = CIDR_RE.exec(s);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

function validateNode(obj: KObject): FieldError[] {
  const spec = (obj as Node).spec ?? {};
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    if (!t.key) errs.push(required(`${p}.key`));
    else errs.push(...invalidIf(`${p}.key`, t.key, isQualifiedName(t.key)));
    if (t.value) errs.push(...invalidIf(`${p}.value`, t.value, validateLabelValue(t.value)));
    if (!t.effect) errs.push(required(`${p}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.push(duplicate(`${p}`, t));
    seen.add(k);
  });
  const cidrs = spec.podCIDRs ?? (spec.podCIDR ? [spec.podCIDR] : []);
  cidrs.forEach((c, i) => { if (!validCIDR(c)) errs.push(invalidValue(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')); });
  return errs;
}

/** Node behaviour. */
export const nodes: KindBehaviour = {
  keepStatusOnCreate: true,
  validateCreate: validateNode,
  validateUpdate(obj, old) {
    const errs = validateNode(obj);
    const before = (old as Node).spec?.podCIDR;
    const now = (obj as Node).spec?.podCIDR;
    if (before && now !== before) errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    return errs;
  },
  fieldValues: (obj) => ({ 'spec.unschedulable': String((obj as Node).spec?.unschedulable ?? false) }),
  tableColumns: NODE_COLUMNS,
  tableRow: nodeRow,
};

/** Namespace behaviour. */
export const namespaces: KindBehaviour = {
  nameRule: nameIsDNSLabel,
  validateCreate(obj) {
    const fin = (obj as Namespace).spec?.finalizers ?? [];
    return fin.flatMap((f, i) => (f.includes('/') || f === 'kubernetes' ? invalidIf(`spec.finalizers[${i}]`, f, isQualifiedName(f)) : [invalidValue(`spec.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified')]));
  },
  // A new namespace is Active and carries the `kubernetes` finalizer (Kubernetes' namespace strategy).
  prepareForCreate(obj) {
    const spec = ((obj as Namespace).spec ??= {});
    if (!spec.finalizers?.length) spec.finalizers = ['kubernetes'];
    (obj as Namespace).status = { phase: 'Active' };
  },
  // Finalizers change only through /finalize, status only through /status.
  prepareForUpdate(obj, old) {
    const before = (old as Namespace).spec?.finalizers;
    if (before) ((obj as Namespace).spec ??= {}).finalizers = [...before];
  },
  fieldValues: (obj) => ({ 'status.phase': (obj as Namespace).status?.phase ?? '' }),
  tableColumns: NAMESPACE_COLUMNS,
  tableRow: namespaceRow,
};

function validateEvent(obj: KObject): FieldError[] {
  const e = obj as Event;
  const ns = e.metadata?.namespace ?? '';
  const ions = e.involvedObject?.namespace ?? '';
  // Events about cluster-scoped objects live in "default" (or no namespace), as in Kubernetes.
  const ok = ions ? ions === ns : ns === '' || ns === 'default';
  return ok ? [] : [invalidValue('involvedObject.namespace', ions, 'does not match event.namespace')];
}

/** Field selector values of a core/v1 Event. */
export function eventFieldValues(e: Event): Record<string, string> {
  const io = e.involvedObject ?? {};
  return {
    'involvedObject.kind': io.kind ?? '', 'involvedObject.namespace': io.namespace ?? '', 'involvedObject.name': io.name ?? '',
    'involvedObject.uid': io.uid ?? '', 'involvedObject.apiVersion': io.apiVersion ?? '', 'involvedObject.resourceVersion': io.resourceVersion ?? '',
    'involvedObject.fieldPath': io.fieldPath ?? '', reason: e.reason ?? '', reportingComponent: e.reportingComponent ?? '', source: e.source?.component ?? '', type: e.type ?? '',
  };
}

/** Core/v1 Event behaviour. */
export const events: KindBehaviour = {
  nameRule: () => [],
  validateCreate: validateEvent,
  validateUpdate: validateEvent,
  fieldValues: (obj) => eventFieldValues(obj as Event),
  tableColumns: EVENT_COLUMNS,
  tableRow: eventRow,
};

interface NewEvent extends KObject { eventTime?: string; type?: string; reportingController?: string; reason?: string }

/** Any Event in the core/v1 shape: events.k8s.io objects are converted (the storage may hold either). */
export function toCoreEvent(obj: KObject): Event {
  return (obj.involvedObject !== undefined || obj.regarding === undefined ? obj : eventsV1ToCore(obj)) as Event;
}

/** events.k8s.io/v1 Event behaviour. */
export const newEvents: KindBehaviour = {
  nameRule: () => [],
  validateCreate(obj) {
    const e = obj as NewEvent;
    const errs = validateEvent(toCoreEvent(obj)).map((x) => ({ ...x, field: 'regarding.namespace' }));
    if (!e.eventTime) errs.push(required('eventTime'));
    if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(notSupported('type', e.type ?? '', ['Normal', 'Warning']));
    if (!e.reportingController) errs.push(required('reportingController'));
    if (!e.reason) errs.push(required('reason'));
    return errs;
  },
  fieldValues(obj) {
    const core = eventFieldValues(toCoreEvent(obj));
    const regarding = Object.fromEntries(Object.entries(core).filter(([k]) => k.startsWith('involvedObject.')).map(([k, v]) => [k.replace('involvedObject.', 'regarding.'), v]));
    return { ...core, ...regarding, reportingController: core.reportingComponent };
  },
  tableColumns: EVENT_COLUMNS,
  tableRow: (obj, now) => eventRow(toCoreEvent(obj), now),
};

/** Lease behaviour. */
export const leases: KindBehaviour = {
  validateCreate(obj) {
    const spec = (obj as Lease).spec ?? {};
    const errs: FieldError[] = [];
    if (spec.leaseDurationSeconds !== undefined && !(spec.leaseDurationSeconds > 0)) errs.push(invalidValue('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
    if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) errs.push(invalidValue('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
    return errs;
  },
  tableColumns: LEASE_COLUMNS,
  tableRow: leaseRow,
};
leases.validateUpdate = (obj) => leases.validateCreate!(obj);

/** ControllerRevision behaviour. */
export const controllerRevisions: KindBehaviour = {
  validateCreate: (obj) => ((obj.revision as number | undefined) ?? 0) < 0 ? [invalidValue('revision', obj.revision, 'must be greater than or equal to 0')] : [],
  validateUpdate: (obj, old) => (JSON.stringify(obj.data) === JSON.stringify(old.data) ? [] : [invalidValue('data', '', 'field is immutable')]),
  tableColumns: CONTROLLER_REVISION_COLUMNS,
  tableRow: controllerRevisionRow,
};

/** ComponentStatus behaviour (read-only, served by the registry). */
export const componentStatuses: KindBehaviour = { tableColumns: COMPONENT_STATUS_COLUMNS, tableRow: componentStatusRow };

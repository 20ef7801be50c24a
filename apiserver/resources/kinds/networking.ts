/**
 * Ingresses, IngressClasses, NetworkPolicies and RBAC (roles, bindings): defaults, validation
 * with Kubernetes' wording, immutable roleRef / ingress controller, tables.
 */
import { isIP } from 'node:net';
import type { KObject } from '../../../lib/api/object.js';
import type { Ingress, IngressBackend, IngressClass, Role, RoleBinding, LabelSelector } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../../../lib/labels/validation.js';
import { nameIsPathSegment } from '../common/meta.js';
import { invalidIf, invalidValue, jsonEqual, notSupported, required, FIELD_IMMUTABLE } from '../common/field.js';
import { validateLabelSelector } from '../common/label-selector.js';
import { INGRESS_COLUMNS, ingressRow, INGRESS_CLASS_COLUMNS, ingressClassRow, NETWORK_POLICY_COLUMNS, networkPolicyRow, ROLE_BINDING_COLUMNS, roleBindingRow } from '../printers/networking.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validateBackend(b: IngressBackend | undefined, path: string): FieldError[] {
  if (!b) return [required(path)];
  if (b.service && b.resource) return [invalidValue(path, '', 'cannot set both resource and service backends')];
  if (b.resource) return b.resource.kind && b.resource.name ? [] : [required(`${path}.resource`, 'kind and name are required')];
  if (!b.service) return [invalidValue(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  if (!b.service.name) errs.push(required(`${path}.service.name`));
  else errs.push(...invalidIf(`${path}.service.name`, b.service.name, isDNS1035Label(b.service.name)));
  const port = b.service.port ?? {};
  if (port.name && port.number) errs.push(invalidValue(`${path}.service.port`, port, 'cannot set both port name & port number'));
  else if (port.name) errs.push(...invalidIf(`${path}.service.port.name`, port.name, isValidPortName(port.name)));
  else if (port.number) errs.push(...invalidIf(`${path}.service.port.number`, port.number, isValidPortNum(port.number)));
  else errs.push(required(`${path}.service.port`, 'port name or number is required'));
  return errs;
}

function validateIngress(obj: KObject): FieldError[] {
  const spec = (obj as Ingress).spec;
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  if (!spec.defaultBackend && !spec.rules?.length) errs.push(invalidValue('spec.rules', [], 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  if (spec.ingressClassName) errs.push(...invalidIf('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  (spec.rules ?? []).forEach((r, i) => {
    const rp = `spec.rules[${i}]`;
    if (r.host) {
      if (isIP(r.host)) errs.push(invalidValue(`${rp}.host`, r.host, 'must be a DNS name, not an IP address'));
      else errs.push(...invalidIf(`${rp}.host`, r.host, isDNS1123Subdomain(r.host.startsWith('*.') ? r.host.slice(2) : r.host)));
    }
    if (!r.http) return;
    if (!r.http.paths?.length) errs.push(required(`${rp}.http.paths`));
    (r.http.paths ?? []).forEach((p, j) => {
      const pp = `${rp}.http.paths[${j}]`;
      if (!p.pathType) errs.push(required(`${pp}.pathType`, 'pathType must be specified'));
      else if (!PATH_TYPES.includes(p.pathType)) errs.push(notSupported(`${pp}.pathType`, p.pathType, PATH_TYPES));
      if (p.pathType !== 'ImplementationSpecific' && p.path !== undefined && !p.path.startsWith('/')) errs.push(invalidValue(`${pp}.path`, p.path, 'must be an absolute path'));
      errs.push(...validateBackend(p.backend, `${pp}.backend`));
    });
  });
  (spec.tls ?? []).forEach((t, i) => (t.hosts ?? []).forEach((h, j) => errs.push(...invalidIf(`spec.tls[${i}].hosts[${j}]`, h, isDNS1123Subdomain(h.startsWith('*.') ? h.slice(2) : h)))));
  return errs;
}

/** Ingress behaviour. */
export const ingresses: KindBehaviour = { validateCreate: validateIngress, validateUpdate: validateIngress, tableColumns: INGRESS_COLUMNS, tableRow: ingressRow };

function validateIngressClass(obj: KObject): FieldError[] {
  const c = (obj as IngressClass).spec?.controller;
  if (!c) return [required('spec.controller')];
  return c.length > 250 ? [invalidValue('spec.controller', c, 'must be no more than 250 characters')] : [];
}

/** IngressClass behaviour. */
export const ingressClasses: KindBehaviour = {
  validateCreate: validateIngressClass,
  validateUpdate(obj, old) {
    const errs = validateIngressClass(obj);
    const c = (obj as IngressClass).spec?.controller;
    if (c !== (old as IngressClass).spec?.controller) errs.push(invalidValue('spec.controller', c, FIELD_IMMUTABLE));
    return errs;
  },
  tableColumns: INGRESS_CLASS_COLUMNS,
  tableRow: ingressClassRow,
};

interface NetworkPolicySpec { podSelector?: LabelSelector; policyTypes?: string[]; ingress?: { ports?: { protocol?: string }[] }[]; egress?: { ports?: { protocol?: string }[] }[] }

/** NetworkPolicy behaviour: policyTypes default to Ingress (+ Egress when egress rules exist). */
export const networkPolicies: KindBehaviour = {
  defaults(obj) {
    const spec = (obj.spec ??= {}) as NetworkPolicySpec;
    spec.podSelector ??= {};
    if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
    for (const r of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
  },
  validateCreate(obj) {
    const spec = (obj.spec ?? {}) as NetworkPolicySpec;
    const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
    (spec.policyTypes ?? []).forEach((t, i) => { if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Egress', 'Ingress'])); });
    return errs;
  },
  tableColumns: NETWORK_POLICY_COLUMNS,
  tableRow: networkPolicyRow,
};
networkPolicies.validateUpdate = (obj) => networkPolicies.validateCreate!(obj);

function validateRules(obj: KObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  ((obj as Role).rules ?? []).forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!r.verbs?.length) errs.push(required(`${p}.verbs`, 'verbs must contain at least one value'));
    if (r.nonResourceURLs?.length) {
      if (namespaced) errs.push(invalidValue(`${p}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (r.apiGroups?.length || r.resources?.length || r.resourceNames?.length) errs.push(invalidValue(`${p}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      return;
    }
    if (!r.apiGroups?.length) errs.push(required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!r.resources?.length) errs.push(required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

/** Role behaviour. */
export const roles: KindBehaviour = { nameRule: nameIsPathSegment, validateCreate: (o) => validateRules(o, true), validateUpdate: (o) => validateRules(o, true) };
/** ClusterRole behaviour. */
export const clusterRoles: KindBehaviour = { nameRule: nameIsPathSegment, validateCreate: (o) => validateRules(o, false), validateUpdate: (o) => validateRules(o, false) };

function defaultSubjects(obj: KObject): void {
  for (const s of (obj as RoleBinding).subjects ?? []) {
    if ((s.kind === 'User' || s.kind === 'Group') && s.apiGroup === undefined) s.apiGroup = RBAC_GROUP;
    if (s.kind === 'ServiceAccount' && s.apiGroup === undefined) s.apiGroup = '';
  }
}

function validateBinding(obj: KObject, cluster: boolean): FieldError[] {
  const rb = obj as RoleBinding;
  const errs: FieldError[] = [];
  const kinds = cluster ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  const ref = rb.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  if (!kinds.includes(ref.kind ?? '')) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  (rb.subjects ?? []).forEach((s, i) => {
    const p = `subjects[${i}]`;
    if (!s.name) errs.push(required(`${p}.name`));
    if (!['ServiceAccount', 'User', 'Group'].includes(s.kind ?? '')) errs.push(notSupported(`${p}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    if (s.kind === 'ServiceAccount') {
      if (s.apiGroup) errs.push(notSupported(`${p}.apiGroup`, s.apiGroup, ['']));
      if (cluster && !s.namespace) errs.push(required(`${p}.namespace`));
    } else if (s.kind === 'User' || s.kind === 'Group') {
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${p}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
    }
  });
  return errs;
}

function bindingBehaviour(cluster: boolean): KindBehaviour {
  return {
    nameRule: nameIsPathSegment,
    defaults: defaultSubjects,
    validateCreate: (o) => validateBinding(o, cluster),
    validateUpdate(o, old) {
      const errs = validateBinding(o, cluster);
      if (!jsonEqual((o as RoleBinding).roleRef, (old as RoleBinding).roleRef)) errs.push(invalidValue('roleRef', (o as RoleBinding).roleRef, 'cannot change roleRef'));
      return errs;
    },
    tableColumns: ROLE_BINDING_COLUMNS,
    tableRow: roleBindingRow,
  };
}

/** RoleBinding behaviour. */
export const roleBindings = bindingBehaviour(false);
/** ClusterRoleBinding behaviour. */
export const clusterRoleBindings = bindingBehaviour(true);

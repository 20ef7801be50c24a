/**
 * Services: defaults (type, affinity, protocols, targetPort, traffic policies), validation with
 * Kubernetes' wording, immutability of the cluster IP, and allocated values carried over on
 * update (clusterIP, nodePorts) when the new object leaves them empty, as `kubectl apply` does.
 * Allocation itself (cluster IPs, the nodePort range) belongs to the registry.
 */
import { isIP } from 'node:net';
import type { KObject } from '../../../lib/api/object.js';
import type { Service, ServicePort } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../../../lib/labels/validation.js';
import { nameIsDNS1035Label, validateLabels } from '../common/meta.js';
import { duplicate, forbidden, invalidIf, invalidValue, notSupported, required } from '../common/field.js';
import { PROTOCOLS } from '../common/container.js';
import { SERVICE_COLUMNS, serviceRow } from '../printers/service.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
/** Kubernetes' message for an invalid IP. */
export const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function usesNodePorts(type: string | undefined): boolean {
  return type === 'NodePort' || type === 'LoadBalancer';
}

function defaults(obj: KObject): void {
  const svc = obj as Service;
  const spec = (svc.spec ??= {});
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type !== 'ExternalName') {
    spec.internalTrafficPolicy ??= 'Cluster';
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    // Single-stack IPv4: the only family the simulated cluster has.
    if (!spec.ipFamilies?.length) spec.ipFamilies = ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (usesNodePorts(spec.type)) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

function validatePorts(spec: NonNullable<Service['spec']>): FieldError[] {
  const errs: FieldError[] = [];
  const ports = spec.ports ?? [];
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p: ServicePort, i) => {
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(required(`${pp}.name`));
    if (p.name) {
      errs.push(...invalidIf(`${pp}.name`, p.name, isDNS1123Label(p.name)));
      if (names.has(p.name)) errs.push(duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...invalidIf(`${pp}.port`, p.port ?? 0, isValidPortNum(p.port ?? 0)));
    if (!p.protocol) errs.push(required(`${pp}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
    if (typeof p.targetPort === 'number') errs.push(...invalidIf(`${pp}.targetPort`, p.targetPort, isValidPortNum(p.targetPort)));
    else if (typeof p.targetPort === 'string') errs.push(...invalidIf(`${pp}.targetPort`, p.targetPort, isValidPortName(p.targetPort)));
    if (p.nodePort) {
      if (!usesNodePorts(spec.type)) errs.push(forbidden(`${pp}.nodePort`, `may not be used when \`type\` is '${spec.type}'`));
      else errs.push(...invalidIf(`${pp}.nodePort`, p.nodePort, isValidPortNum(p.nodePort)));
      const np = `${p.nodePort}/${p.protocol}`;
      if (nodePorts.has(np)) errs.push(duplicate(`${pp}.nodePort`, p.nodePort));
      nodePorts.add(np);
    }
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) errs.push(duplicate(pp, { port: p.port, protocol: p.protocol }));
    keys.add(key);
  });
  return errs;
}

function validateService(obj: KObject): FieldError[] {
  const spec = (obj as Service).spec;
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  if (spec.type && !TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, TYPES));
  const headless = spec.clusterIP === 'None';
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else errs.push(...invalidIf('spec.externalName', spec.externalName, isDNS1123Subdomain(spec.externalName.replace(/\.$/, ''))));
  } else if (!(spec.ports ?? []).length && !headless) {
    errs.push(required('spec.ports'));
  }
  errs.push(...validatePorts(spec));
  if (spec.sessionAffinity && !AFFINITIES.includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined && !(timeout > 0 && timeout <= 86400)) errs.push(invalidValue('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.clusterIP && spec.clusterIP !== 'None' && !isIP(spec.clusterIP)) errs.push(invalidValue('spec.clusterIPs[0]', spec.clusterIP, INVALID_IP));
  if (spec.type === 'ExternalName' && spec.clusterIP && spec.clusterIP !== 'None') errs.push(invalidValue('spec.clusterIPs', spec.clusterIPs ?? [spec.clusterIP], 'must be empty for ExternalName services'));
  if (headless && usesNodePorts(spec.type)) errs.push(invalidValue('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  (spec.externalIPs ?? []).forEach((ip, i) => { if (!isIP(ip)) errs.push(invalidValue(`spec.externalIPs[${i}]`, ip, INVALID_IP)); });
  for (const k of ['externalTrafficPolicy', 'internalTrafficPolicy'] as const) {
    const v = spec[k];
    if (v && !TRAFFIC_POLICIES.includes(v)) errs.push(notSupported(`spec.${k}`, v, TRAFFIC_POLICIES));
  }
  if (spec.externalTrafficPolicy && !usesNodePorts(spec.type)) {
    errs.push(invalidValue('spec.externalTrafficPolicy', spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
  }
  return errs;
}

function validateServiceUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = validateService(obj);
  const spec = (obj as Service).spec ?? {};
  const before = (old as Service).spec ?? {};
  // The cluster IP may only change when the service turns into or out of ExternalName.
  if (before.clusterIP && spec.clusterIP && spec.clusterIP !== before.clusterIP && before.type !== 'ExternalName' && spec.type !== 'ExternalName') {
    errs.push(invalidValue('spec.clusterIPs[0]', spec.clusterIPs ?? [spec.clusterIP], 'may not change once set'));
  }
  return errs;
}

/** Keeps allocated clusterIP(s) and nodePorts the new object leaves empty (Kubernetes patchAllocatedValues). */
function keepAllocated(obj: KObject, old: KObject): void {
  const spec = (obj as Service).spec;
  const before = (old as Service).spec;
  if (!spec || !before) return;
  if (spec.type !== 'ExternalName' && before.type !== 'ExternalName') {
    if (!spec.clusterIP && before.clusterIP) spec.clusterIP = before.clusterIP;
    if (!spec.clusterIPs?.length && before.clusterIPs?.length && spec.clusterIP === before.clusterIP) spec.clusterIPs = [...before.clusterIPs];
  }
  if (usesNodePorts(spec.type) && usesNodePorts(before.type)) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const match = (before.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
    if (!spec.healthCheckNodePort && before.healthCheckNodePort && spec.externalTrafficPolicy === 'Local') spec.healthCheckNodePort = before.healthCheckNodePort;
  }
}

/** Service behaviour. */
export const services: KindBehaviour = {
  nameRule: nameIsDNS1035Label,
  defaults,
  validateCreate: validateService,
  validateUpdate: validateServiceUpdate,
  prepareForUpdate: keepAllocated,
  fieldValues: (obj) => ({ 'spec.clusterIP': (obj as Service).spec?.clusterIP ?? '', 'spec.type': (obj as Service).spec?.type ?? '' }),
  tableColumns: SERVICE_COLUMNS,
  tableRow: serviceRow,
};

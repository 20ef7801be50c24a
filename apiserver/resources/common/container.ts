/**
 * Container defaulting and validation (Kubernetes SetDefaults_Container / validateContainers):
 * names, images, pull policy, ports, env, resources, probes, volume mounts.
 */
import type { FieldError } from '../../../lib/errors.js';
import type { Container, ContainerPort, Probe, ResourceRequirements } from '../../../lib/api/types.js';
import { isDNS1123Label, isValidPortName, isValidPortNum } from '../../../lib/labels/validation.js';
import { validateEnv } from './env.js';
import { tryParseQuantity, compareQuantities, QUANTITY_FORMAT_ERROR } from '../../../lib/api/quantity.js';
import { duplicate, invalidIf, invalidValue, notSupported, required, forbidden } from './field.js';

/** Supported protocols of ports. */
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

/** The tag of an image reference ('latest' when none and no digest, '' with a digest). */
export function imageTag(image: string): string {
  if (image.includes('@')) return '';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 ? 'latest' : image.slice(colon + 1);
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  // Plain ints in Kubernetes' types: 0 means unset there, so 0 is defaulted too.
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  if (p.httpGet) {
    p.httpGet.path ||= '/';
    p.httpGet.scheme ||= 'HTTP';
  }
}

/** Fills a container's defaults in place. */
export function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy && typeof c.image === 'string') c.imagePullPolicy = imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.resources ??= {};
  // Kubernetes copies limits into missing requests: a limit alone means request = limit.
  const { limits, requests } = c.resources;
  if (limits && Object.keys(limits).length) {
    const req = requests ?? {};
    for (const [k, v] of Object.entries(limits)) if (req[k] === undefined) req[k] = v;
    c.resources.requests = req;
  }
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** validateContainerResourceName: cpu/memory/ephemeral-storage/hugepages-*, or a domain-qualified extended resource. */
function resourceNameError(name: string): string | undefined {
  if (CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return undefined;
  if (!name.includes('/')) return 'must be a standard resource type or fully qualified';
  if (name.startsWith('kubernetes.io/') || name.startsWith('requests.')) return 'must be a standard resource for containers';
  return undefined;
}

/** Validates requests/limits: known names and quantities, non-negative, requests ≤ limits. */
export function validateResources(r: ResourceRequirements | undefined, path: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const parsed: Record<'limits' | 'requests', Record<string, ReturnType<typeof tryParseQuantity>>> = { limits: {}, requests: {} };
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, raw] of Object.entries(r[kind] ?? {})) {
      const q = tryParseQuantity(raw);
      const p = `${path}.${kind}[${name}]`;
      const nameErr = resourceNameError(name);
      if (nameErr) errs.push(invalidValue(p, name, nameErr));
      if (!q) { errs.push(invalidValue(p, raw, QUANTITY_FORMAT_ERROR)); continue; }
      if (q.num < 0n) errs.push(invalidValue(p, raw, 'must be greater than or equal to 0'));
      parsed[kind][name] = q;
    }
  }
  for (const [name, req] of Object.entries(parsed.requests)) {
    const lim = parsed.limits[name];
    if (req && lim && compareQuantities(req, lim) > 0) {
      errs.push(invalidValue(`${path}.requests`, r.requests![name], `must be less than or equal to ${name} limit of ${r.limits![name]}`));
    }
  }
  return errs;
}

function validateProbe(p: Probe | undefined, path: string): FieldError[] {
  if (!p) return [];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => (p as Record<string, unknown>)[h] != null);
  if (handlers.length === 0) errs.push(required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = p[k];
    if (v !== undefined && (typeof v !== 'number' || v < 0)) errs.push(invalidValue(`${path}.${k}`, v, 'must be greater than or equal to 0'));
  }
  const port = p.httpGet?.port ?? p.tcpSocket?.port;
  if (port !== undefined) {
    const where = `${path}.${p.httpGet ? 'httpGet' : 'tcpSocket'}.port`;
    if (typeof port === 'number') errs.push(...invalidIf(where, port, isValidPortNum(port)));
    else errs.push(...invalidIf(where, port, isValidPortName(port)));
  }
  return errs;
}

function validatePorts(ports: ContainerPort[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `${path}[${i}]`;
    if (p.name) {
      errs.push(...invalidIf(`${pp}.name`, p.name, isValidPortName(p.name)));
      if (names.has(p.name)) errs.push(duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${pp}.containerPort`));
    else errs.push(...invalidIf(`${pp}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p.hostPort) errs.push(...invalidIf(`${pp}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    if (!p.protocol) errs.push(required(`${pp}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
  });
  // Two containers binding the same containerPort is allowed here, as in Kubernetes: it fails at run time.
  return errs;
}

/** Validates a list of containers at `path` (e.g. `spec.containers`); `volumes` = declared volume names. */
export function validateContainers(containers: Container[], path: string, volumes: Set<string>, usedNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, i) => {
    const cp = `${path}[${i}]`;
    if (!c || typeof c !== 'object') { errs.push(invalidValue(cp, c, 'must be an object')); return; }
    if (!c.name) errs.push(required(`${cp}.name`));
    else {
      errs.push(...invalidIf(`${cp}.name`, c.name, isDNS1123Label(c.name)));
      if (usedNames.has(c.name)) errs.push(duplicate(`${cp}.name`, c.name));
      usedNames.add(c.name);
    }
    if (!c.image || !String(c.image).trim()) errs.push(required(`${cp}.image`));
    if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(`${cp}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    if (c.terminationMessagePolicy && !TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
      errs.push(notSupported(`${cp}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
    }
    errs.push(...validatePorts(c.ports ?? [], `${cp}.ports`));
    errs.push(...validateEnv(c.env, c.envFrom, cp));
    errs.push(...validateResources(c.resources, `${cp}.resources`));
    const mountPaths = new Set<string>();
    (c.volumeMounts ?? []).forEach((m, j) => {
      const mp = `${cp}.volumeMounts[${j}]`;
      if (!m.name) errs.push(required(`${mp}.name`));
      else if (!volumes.has(m.name)) errs.push(invalidValue(`${mp}.name`, m.name, 'not found'));
      if (!m.mountPath) errs.push(required(`${mp}.mountPath`));
      else if (mountPaths.has(m.mountPath)) errs.push(invalidValue(`${mp}.mountPath`, m.mountPath, 'must be unique'));
      if (m.mountPath) mountPaths.add(m.mountPath);
    });
    errs.push(...validateProbe(c.livenessProbe, `${cp}.livenessProbe`));
    errs.push(...validateProbe(c.readinessProbe, `${cp}.readinessProbe`));
    errs.push(...validateProbe(c.startupProbe, `${cp}.startupProbe`));
    if (c.livenessProbe?.successThreshold !== undefined && c.livenessProbe.successThreshold !== 1) {
      errs.push(invalidValue(`${cp}.livenessProbe.successThreshold`, c.livenessProbe.successThreshold, 'must be 1'));
    }
  });
  return errs;
}

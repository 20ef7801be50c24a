/**
 * A container's environment as the kubelet computes it (pkg/kubelet makeEnvironmentVariables):
 * Docker-link style service variables of the pod's namespace first (<SVC>_SERVICE_HOST, ...),
 * then envFrom, then env — where values may use $(VAR) of what came before and valueFrom reads
 * ConfigMaps, Secrets, pod fields and resources. A missing non-optional source is a
 * CreateContainerConfigError, with Kubernetes' wording.
 */
import type { ConfigMap, Container, Pod, Secret, Service } from '../lib/api/types.js';
import { tryParseQuantity } from '../lib/api/quantity.js';
import { ApiError } from '../lib/errors.js';
import { expandVars } from './expand-vars.js';

/** Where env values come from; lookups return undefined for a missing object. */
export interface EnvSources {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** Services visible to the pod (its namespace, plus default/kubernetes). */
  services: Service[];
  podIP: string;
  hostIP: string;
  /** Node allocatable, used by resourceFieldRef when the container sets no limit. */
  nodeAllocatable: { cpu: string; memory: string };
}

/** One environment variable. */
export interface EnvPair { name: string; value: string }

/** The error kind the kubelet reports as waiting reason CreateContainerConfigError. */
export function configError(message: string): ApiError {
  return new ApiError('Invalid', message, { kind: 'CreateContainerConfigError' });
}

/** Docker-link style variables for services (Kubernetes' envvars.FromServices). */
export function serviceEnv(services: Service[]): EnvPair[] {
  const out: EnvPair[] = [];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || !svc.spec?.ports?.length) continue;
    const n = svc.metadata!.name!.toUpperCase().replace(/-/g, '_');
    const first = svc.spec.ports[0];
    out.push({ name: `${n}_SERVICE_HOST`, value: ip }, { name: `${n}_SERVICE_PORT`, value: String(first.port) });
    for (const p of svc.spec.ports) if (p.name) out.push({ name: `${n}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, value: String(p.port) });
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    out.push({ name: `${n}_PORT`, value: `${proto}://${ip}:${first.port}` });
    for (const p of svc.spec.ports) {
      const pr = (p.protocol ?? 'TCP').toUpperCase();
      const pfx = `${n}_PORT_${p.port}_${pr}`;
      out.push({ name: pfx, value: `${pr.toLowerCase()}://${ip}:${p.port}` }, { name: `${pfx}_PROTO`, value: pr.toLowerCase() },
        { name: `${pfx}_PORT`, value: String(p.port) }, { name: `${pfx}_ADDR`, value: ip });
    }
  }
  return out;
}

/** Value of a downward-API field path (fieldRef). */
export function podField(pod: Pod, path: string, src: Pick<EnvSources, 'podIP' | 'hostIP'>): string {
  const md = pod.metadata ?? {};
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (md[m[1] as 'labels' | 'annotations'] ?? {})[m[2]] ?? '';
  switch (path) {
    case 'metadata.name': return md.name ?? '';
    case 'metadata.namespace': return md.namespace ?? '';
    case 'metadata.uid': return md.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': case 'status.podIPs': return src.podIP;
    case 'status.hostIP': case 'status.hostIPs': return src.hostIP;
    default: throw configError(`unsupported fieldRef fieldPath ${JSON.stringify(path)}`);
  }
}

/** Value of a resourceFieldRef (limits.cpu, requests.memory, ...), divided by its divisor and rounded up. */
export function resourceField(c: Container, resource: string, divisor: string | undefined, alloc: EnvSources['nodeAllocatable']): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', 'cpu' | 'memory'];
  const raw = c.resources?.[kind]?.[name] ?? (kind === 'limits' ? alloc[name] : '0');
  const q = tryParseQuantity(raw);
  const d = tryParseQuantity(divisor ?? '1');
  if (!q || !d || d.milli === 0) throw configError(`invalid resourceFieldRef ${resource}`);
  return String(Math.ceil(q.milli / d.milli));
}

function keyOf(data: Record<string, string> | undefined, key: string, what: string, optional: boolean | undefined): string | undefined {
  if (data && key in data) return data[key];
  if (optional) return undefined;
  throw configError(`couldn't find key ${key} in ${what}`);
}

/** The container's environment, in Kubernetes' order and with $(VAR) expansion. */
export function containerEnv(pod: Pod, c: Container, src: EnvSources): EnvPair[] {
  const ns = pod.metadata!.namespace!;
  const vars = new Map<string, string>();
  if (pod.spec?.enableServiceLinks !== false) for (const e of serviceEnv(src.services)) vars.set(e.name, e.value);
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const obj = from.configMapRef ? src.configMap(ns, ref.name) : src.secret(ns, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw configError(`${from.configMapRef ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    const data = from.configMapRef ? (obj as ConfigMap).data ?? {} : decodeSecret(obj as Secret);
    for (const [k, v] of Object.entries(data)) vars.set(prefix + k, v);
  }
  const lookup = (n: string) => vars.get(n);
  for (const e of c.env ?? []) {
    if (!e.name) continue;
    let value: string | undefined;
    const vf = e.valueFrom;
    if (!vf) value = expandVars(e.value ?? '', lookup);
    else if (vf.configMapKeyRef) {
      const r = vf.configMapKeyRef;
      const cm = src.configMap(ns, r.name ?? '');
      if (!cm && !r.optional) throw configError(`configmap "${r.name}" not found`);
      value = cm ? keyOf(cm.data, r.key ?? '', `configmap ${r.name}`, r.optional) : undefined;
    } else if (vf.secretKeyRef) {
      const r = vf.secretKeyRef;
      const s = src.secret(ns, r.name ?? '');
      if (!s && !r.optional) throw configError(`secret "${r.name}" not found`);
      value = s ? keyOf(decodeSecret(s), r.key ?? '', `secret ${r.name}`, r.optional) : undefined;
    } else if (vf.fieldRef) value = podField(pod, vf.fieldRef.fieldPath ?? '', src);
    else if (vf.resourceFieldRef) value = resourceField(c, vf.resourceFieldRef.resource ?? '', vf.resourceFieldRef.divisor, src.nodeAllocatable);
    if (value !== undefined) vars.set(e.name, value);
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}

/** A Secret's values (base64 data, plus stringData if a client left it) as text. */
export function decodeSecret(s: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

/**
 * Tables of services, endpoints and endpoint slices as kubectl shows them (printers.go
 * printService, formatEndpoints, printEndpointSlice).
 */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { Service, Endpoints, EndpointSlice } from '../../../lib/api/types.js';
import { formatLabels } from '../../../lib/labels/selector.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';

/** Service columns. */
export const SERVICE_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Type', 'string', 'The type of the service.'),
  column('Cluster-IP', 'string', 'The cluster IP of the service.'),
  column('External-IP', 'string', 'The external IP of the service.'),
  column('Port(s)', 'string', 'The ports of the service.'),
  AGE_COLUMN,
  column('Selector', 'string', 'The selector of the service.', 1),
];

/**
 * Load-balancer ingress points as kubectl shows them: unique, sorted, comma separated. (kubectl
 * clips them to 16 characters only when it prints locally; server-side tables are always "wide".)
 */
export function loadBalancerAddresses(ingress: { ip?: string; hostname?: string }[] | undefined): string {
  return [...new Set((ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean))].sort().join(',');
}

/** The EXTERNAL-IP cell (getServiceExternalIP). */
export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer?.ingress);
      if (external.length) return [...(lb ? [lb] : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** The PORT(S) cell: `80/TCP`, `80:30080/TCP`, comma separated; `<none>` without ports. */
export function servicePorts(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

/** One service row. */
export function serviceRow(obj: KObject, now: Date): unknown[] {
  const svc = obj as Service;
  const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
  return [nameOf(obj), svc.spec?.type ?? 'ClusterIP', clusterIP, serviceExternalIP(svc), servicePorts(svc), ageOf(obj, now), formatLabels(svc.spec?.selector)];
}

/** Endpoints columns. */
export const ENDPOINTS_COLUMNS: TableColumn[] = [NAME_COLUMN, column('Endpoints', 'string', 'Endpoints of the service'), AGE_COLUMN];

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const MAX_SHOWN = 3;

/** The ENDPOINTS cell: at most three `ip:port`, then ` + N more...` (formatEndpoints). */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (!subsets.length) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    // Headless services without ports list bare IPs.
    const entries = ss.ports?.length ? ss.ports.flatMap((p) => addrs.map((a) => joinHostPort(a.ip ?? '', p.port ?? 0))) : addrs.map((a) => a.ip ?? '');
    count += entries.length;
    for (const e of entries) if (list.length < MAX_SHOWN) list.push(e);
  }
  // Subsets with only not-ready addresses print as an empty cell, as kubectl shows them.
  return withMore(list, count, '');
}

/** `a,b,c + N more...` when `count` exceeds what is shown; `empty` when nothing is. */
function withMore(list: string[], count: number, empty: string): string {
  if (count > MAX_SHOWN) return `${list.join(',')} + ${count - MAX_SHOWN} more...`;
  return list.length ? list.join(',') : empty;
}

/** One endpoints row. */
export function endpointsRow(obj: KObject, now: Date): unknown[] {
  return [nameOf(obj), formatEndpoints(obj as Endpoints), ageOf(obj, now)];
}

/** EndpointSlice columns. */
export const ENDPOINT_SLICE_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('AddressType', 'string', 'The type of addresses in this slice.'),
  column('Ports', 'string', 'The ports of this slice.'),
  column('Endpoints', 'string', 'The endpoints of this slice.'),
  AGE_COLUMN,
];

/** One endpoint slice row (printEndpointSlice). */
export function endpointSliceRow(obj: KObject, now: Date): unknown[] {
  const s = obj as EndpointSlice;
  // A port without a number is shown by name, or `*` (all ports); nothing at all is `<unset>`.
  const ports = (s.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name ?? '*'));
  const addrs = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return [nameOf(obj), s.addressType ?? '', withMore(ports.slice(0, MAX_SHOWN), ports.length, '<unset>'), withMore(addrs.slice(0, MAX_SHOWN), addrs.length, '<unset>'), ageOf(obj, now)];
}

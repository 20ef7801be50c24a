/** Tables of ingresses, ingress classes, network policies and RBAC bindings as kubectl shows them. */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { Ingress, IngressClass, RoleBinding, LabelSelector } from '../../../lib/api/types.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';
import { selectorCell } from './workloads.js';
import { loadBalancerAddresses } from './service.js';

/** Ingress columns. */
export const INGRESS_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
  column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
  column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
  column('Ports', 'string', 'Ports of TLS configurations that open'),
  AGE_COLUMN,
];

/** The HOSTS cell: the first three hosts then ` + N more...` (N counts rules); `*` when no rule names a host. */
export function formatHosts(rules: { host?: string }[] | undefined): string {
  const rs = rules ?? [];
  const list: string[] = [];
  let more = false;
  for (const r of rs) {
    if (list.length === 3) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rs.length - 3} more...` : list.join(',');
}

/** One ingress row. */
export function ingressRow(obj: KObject, now: Date): unknown[] {
  const ing = obj as Ingress;
  const address = loadBalancerAddresses(ing.status?.loadBalancer?.ingress);
  const ports = ing.spec?.tls?.length ? '80, 443' : '80';
  return [nameOf(obj), ing.spec?.ingressClassName || '<none>', formatHosts(ing.spec?.rules), address, ports, ageOf(obj, now)];
}

/** IngressClass columns. */
export const INGRESS_CLASS_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Controller', 'string', 'Controller that is responsible for handling this class'),
  column('Parameters', 'string', 'A reference to a resource with additional parameters'),
  AGE_COLUMN,
];

/** One ingress class row: PARAMETERS is `Kind[.group]/name`. */
export function ingressClassRow(obj: KObject, now: Date): unknown[] {
  const ic = obj as IngressClass;
  const p = ic.spec?.parameters;
  const params = p ? `${p.kind ?? ''}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
  return [nameOf(obj), ic.spec?.controller ?? '', params, ageOf(obj, now)];
}

/** NetworkPolicy columns. */
export const NETWORK_POLICY_COLUMNS: TableColumn[] = [NAME_COLUMN, column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), AGE_COLUMN];

/** One network policy row (an empty pod selector is `<none>`). */
export function networkPolicyRow(obj: KObject, now: Date): unknown[] {
  const sel = (obj.spec as { podSelector?: LabelSelector } | undefined)?.podSelector ?? {};
  return [nameOf(obj), selectorCell(sel), ageOf(obj, now)];
}

/** RoleBinding / ClusterRoleBinding columns. */
export const ROLE_BINDING_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
  AGE_COLUMN,
  column('Users', 'string', 'Users in the roleBinding', 1),
  column('Groups', 'string', 'Groups in the roleBinding', 1),
  column('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
];

/** One binding row: ROLE is `Kind/name`; wide: users, groups, `namespace/name` service accounts. */
export function roleBindingRow(obj: KObject, now: Date): unknown[] {
  const rb = obj as RoleBinding;
  const subjects = rb.subjects ?? [];
  const of = (kind: string) => subjects.filter((s) => s.kind === kind);
  return [nameOf(obj), `${rb.roleRef?.kind ?? ''}/${rb.roleRef?.name ?? ''}`, ageOf(obj, now),
    of('User').map((s) => s.name).join(', '), of('Group').map((s) => s.name).join(', '), of('ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name}`).join(', ')];
}

/**
 * Discovery documents built from the registry's ResourceDefs: /api, /apis, /apis/<g>,
 * /api/v1 and /apis/<g>/<v> (APIResourceList), plus aggregated discovery (apidiscovery.k8s.io
 * v2 / v2beta1) which kubectl 1.27+ asks for first to save one request per group.
 */
import type { ResourceDef } from '../registry/types.js';

/** Kind, group/version and verbs served by a subresource (as in Kubernetes' discovery). */
export interface SubresourceInfo { kind: string; group?: string; version?: string; verbs: string[] }

const SUBRESOURCES: Record<string, SubresourceInfo> = {
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  log: { kind: 'Pod', verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  proxy: { kind: '', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  finalize: { kind: '', verbs: ['update'] },
  ephemeralcontainers: { kind: '', verbs: ['get', 'patch', 'update'] },
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
};

/** What a subresource of `def` returns and accepts. */
export function subresourceInfo(def: ResourceDef, sub: string): SubresourceInfo {
  const info = SUBRESOURCES[sub] ?? { kind: '', verbs: ['get'] };
  const kind = info.kind || (sub === 'proxy' ? `${def.kind}ProxyOptions` : def.kind);
  return { ...info, kind };
}

/** apiVersion string of a group/version ('v1' for core). */
export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Group → versions in preference order (first = preferred), from the served resources. */
export function groupVersions(defs: ResourceDef[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of defs) {
    const vs = out.get(d.group) ?? [];
    if (!vs.includes(d.version)) vs.push(d.version);
    out.set(d.group, vs);
  }
  return out;
}

/** `/api`: APIVersions. */
export function apiVersions(defs: ResourceDef[], serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: groupVersions(defs).get('') ?? ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: groupVersion(name, v), version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** `/apis`: APIGroupList of every non-core group. */
export function apiGroupList(defs: ResourceDef[]): Record<string, unknown> {
  const groups = [...groupVersions(defs)].filter(([g]) => g !== '').map(([g, vs]) => apiGroup(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `/apis/<group>`: APIGroup, or undefined when the group is not served. */
export function apiGroupDoc(defs: ResourceDef[], group: string): Record<string, unknown> | undefined {
  const vs = groupVersions(defs).get(group);
  if (!vs || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, vs) };
}

/** `/api/v1`, `/apis/<g>/<v>`: APIResourceList, or undefined when not served. */
export function apiResourceList(defs: ResourceDef[], group: string, version: string): Record<string, unknown> | undefined {
  const mine = defs.filter((d) => d.group === group && d.version === version);
  if (mine.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const d of mine) {
    const r: Record<string, unknown> = { name: d.resource, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs };
    if (d.shortNames?.length) r.shortNames = d.shortNames;
    if (d.categories?.length) r.categories = d.categories;
    resources.push(r);
    for (const sub of d.subresources ?? []) {
      const info = subresourceInfo(d, sub);
      const s: Record<string, unknown> = { name: `${d.resource}/${sub}`, singularName: '', namespaced: d.namespaced, kind: info.kind, verbs: info.verbs };
      if (info.group !== undefined) { s.group = info.group; s.version = info.version; }
      resources.push(s);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function discoveryResource(d: ResourceDef): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: d.resource,
    responseKind: { group: d.group, version: d.version, kind: d.kind },
    scope: d.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: d.singular,
    verbs: d.verbs,
  };
  if (d.shortNames?.length) r.shortNames = d.shortNames;
  if (d.categories?.length) r.categories = d.categories;
  if (d.subresources?.length) {
    r.subresources = d.subresources.map((sub) => {
      const info = subresourceInfo(d, sub);
      return { subresource: sub, responseKind: { group: info.group ?? d.group, version: info.version ?? d.version, kind: info.kind }, verbs: info.verbs };
    });
  }
  return r;
}

/** Aggregated discovery: `/api` (core only) or `/apis` (every other group) as APIGroupDiscoveryList. */
export function aggregatedDiscovery(defs: ResourceDef[], core: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const items = [...groupVersions(defs)].filter(([g]) => (g === '') === core).map(([g, vs]) => ({
    metadata: { name: g, creationTimestamp: null },
    versions: vs.map((v) => ({
      version: v,
      resources: defs.filter((d) => d.group === g && d.version === v).map(discoveryResource),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

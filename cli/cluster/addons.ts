/**
 * Cluster addons (DNS, ingress, dashboard) are plain manifests applied after the control plane is
 * up, as kubeadm installs coredns: `{{GRPC_SERVER}}` and `{{API_SERVER}}` in them are replaced by the
 * addresses pods use to reach the apiserver from inside the cluster.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../lib/api/object.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { isApiError } from '../../lib/errors.js';
import { DIST } from './components.js';

/** Where each addon's manifest lives (source tree path; dist/ has the same layout for .yaml via copy-assets). */
export const ADDONS: Record<string, string> = {
  dns: 'dns/addon.yaml',
  ingress: 'ingress/addon.yaml',
  dashboard: 'dashboard/addon.yaml',
};

/** The manifest text of an addon with placeholders filled, or undefined when this build has none. */
export function renderAddon(name: string, vars: { grpcServer: string; apiServer: string }): string | undefined {
  const rel = ADDONS[name];
  const candidates = [join(DIST, '..', rel), join(DIST, rel)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) return undefined;
  return readFileSync(file, 'utf8')
    .replaceAll('{{GRPC_SERVER}}', vars.grpcServer)
    .replaceAll('{{API_SERVER}}', vars.apiServer)
    // Manifests written for the default local cluster name its address literally.
    .replaceAll('10.200.0.1:8081', vars.grpcServer);
}

/** Group/resource of the kinds addon manifests use. */
function targetOf(obj: KObject): { group: string; resource: string; namespaced: boolean } {
  const [group, version] = (obj.apiVersion ?? 'v1').includes('/') ? (obj.apiVersion as string).split('/') : ['', obj.apiVersion];
  void version;
  const plural: Record<string, [string, boolean]> = {
    Deployment: ['deployments', true], DaemonSet: ['daemonsets', true], Service: ['services', true], ServiceAccount: ['serviceaccounts', true],
    ConfigMap: ['configmaps', true], Secret: ['secrets', true], Namespace: ['namespaces', false], IngressClass: ['ingressclasses', false],
    ClusterRole: ['clusterroles', false], ClusterRoleBinding: ['clusterrolebindings', false], Role: ['roles', true], RoleBinding: ['rolebindings', true],
  };
  const p = plural[obj.kind ?? ''];
  if (!p) throw new Error(`addon manifests may not contain kind ${obj.kind}`);
  return { group, resource: p[0], namespaced: p[1] };
}

/** Creates every object of a rendered manifest (existing ones are left as they are). */
export async function applyManifest(client: ApiClient, text: string): Promise<number> {
  let n = 0;
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJSON() as KObject | null;
    if (!obj?.kind) continue;
    const t = targetOf(obj);
    const target = { group: t.group, resource: t.resource, namespace: t.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined };
    // An object that is already there is left as it is (re-applying must not trip over its allocated ports).
    const existing = await client.get({ ...target, name: obj.metadata?.name ?? '' }).catch((err) => { if (isApiError(err, 'NotFound')) return undefined; throw err; });
    if (existing) continue;
    try {
      await client.create(target, obj);
      n++;
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw new Error(`${obj.kind} ${obj.metadata?.name}: ${(err as Error).message}`);
    }
  }
  return n;
}

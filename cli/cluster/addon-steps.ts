/**
 * Bring-up steps for addons: apply a manifest through the gRPC API as the cluster admin (after
 * giving each of its ServiceAccounts a token Secret), then check DNS from inside a node.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { ApiClient } from '../../lib/client/api-client.js';
import { clientFromFlags } from '../../lib/client/flags.js';
import { isApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import { ensureServiceAccountKey, pkiPaths } from '../../lib/pki/cluster.js';
import { ServiceAccountTokens } from '../../apiserver/auth/sa-token.js';
import { renderAddon, applyManifest } from './addons.js';
import { grpcAddr } from './components.js';
import { pkiDirOf, secureURL } from './credentials.js';
import type { ClusterLayout } from './layout.js';

const execFileP = promisify(execFile);

/** The issuer the apiserver checks by default (--service-account-issuer). */
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const YEAR_SECONDS = 365 * 86_400;

/**
 * A token Secret `<sa>-token` (token, ca.crt, namespace: what Kubernetes before 1.24 mounted at
 * /var/run/secrets/kubernetes.io/serviceaccount) for every ServiceAccount of the manifest, signed
 * with the cluster's ServiceAccount key; the addon Deployments mount it there, so their programs
 * use lib/client's in-cluster config. Existing Secrets are kept.
 */
export async function ensureAddonTokenSecrets(client: ApiClient, c: ClusterLayout, manifest: string): Promise<void> {
  const dir = pkiDirOf(c);
  const tokens = new ServiceAccountTokens(ISSUER, ensureServiceAccountKey(dir));
  const ca = readFileSync(pkiPaths(dir, 'ca').cert, 'utf8');
  for (const doc of parseAllDocuments(manifest)) {
    const sa = doc.toJSON() as KObject | null;
    if (sa?.kind !== 'ServiceAccount' || !sa.metadata?.name) continue;
    const ns = sa.metadata.namespace ?? 'default';
    const name = `${sa.metadata.name}-token`;
    const { token } = tokens.issue({ namespace: ns, serviceAccount: sa.metadata.name, audiences: [], expirationSeconds: YEAR_SECONDS });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = {
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
      metadata: { name, namespace: ns, annotations: { 'kubernetes.io/service-account.name': sa.metadata.name } },
      data: { token: b64(token), 'ca.crt': b64(ca), namespace: b64(ns) },
    } as KObject;
    try {
      await client.create({ resource: 'secrets', namespace: ns }, secret);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
    }
  }
}

/** Applies addon `name` to the cluster; throws when this build has no such addon. */
export async function installAddon(name: string, c: ClusterLayout): Promise<void> {
  const text = renderAddon(name, { grpcServer: grpcAddr(c), apiServer: secureURL(c) });
  if (!text) throw new Error(`this build has no ${name} addon manifest`);
  // The admin kubeconfig carries the gRPC address and the admin's token.
  const client = clientFromFlags({ kubeconfig: c.kubeconfig });
  try {
    await ensureAddonTokenSecrets(client, c, text);
    await applyManifest(client, text);
  } finally {
    client.close();
  }
}

/** True when the cluster DNS at dnsIP resolves kube-dns.kube-system from inside node namespace netns. */
export async function dnsAnswers(netns: string, dnsIP: string): Promise<boolean> {
  const script = `const r=new (require('node:dns').promises.Resolver)({timeout:1000,tries:1});r.setServers(['${dnsIP}']);` +
    `r.resolve4('kube-dns.kube-system.svc.cluster.local').then(a=>{console.log(a.join(','));process.exit(a.length?0:1)},()=>process.exit(1))`;
  try {
    await execFileP('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', script], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

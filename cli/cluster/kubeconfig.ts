/** Writes the kubeconfig users point kubectl at (and the ones components read). */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/** Credentials of a kubeconfig: a bearer token and/or the CA and a client certificate (PEM). */
export interface KubeconfigAuth { token?: string; caCert?: string; clientCert?: string; clientKey?: string; user?: string }

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * A kubeconfig for `server` (and our gRPC address) with one context named after the cluster;
 * `auth` is a bearer token or a KubeconfigAuth (HTTPS: CA and client certificate embedded).
 */
export function writeKubeconfig(file: string, cluster: string, server: string, grpcServer?: string, auth?: string | KubeconfigAuth): void {
  const a: KubeconfigAuth = typeof auth === 'string' ? { token: auth } : auth ?? {};
  const user = a.user ?? `${cluster}-admin`;
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{
      name: cluster,
      cluster: {
        server,
        ...(a.caCert ? { 'certificate-authority-data': b64(a.caCert) } : {}),
        // Our components find the gRPC facade through this extension (kubectl ignores it).
        ...(grpcServer ? { extensions: [{ name: 'kubesim.io/grpc-server', extension: grpcServer }] } : {}),
      },
    }],
    users: [{
      name: user,
      user: {
        ...(a.clientCert ? { 'client-certificate-data': b64(a.clientCert), 'client-key-data': b64(a.clientKey ?? '') } : {}),
        ...(a.token ? { token: a.token } : {}),
      },
    }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
    preferences: {},
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(cfg), { mode: 0o600 });
}

/** Writes the kubeconfig users point kubectl at. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/** A kubeconfig for `server` (and our gRPC address, and a bearer token) with one context named after the cluster. */
export function writeKubeconfig(file: string, cluster: string, server: string, grpcServer?: string, token?: string): void {
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    // Our components find the gRPC facade through this extension (kubectl ignores it).
    clusters: [{ name: cluster, cluster: { server, ...(grpcServer ? { extensions: [{ name: 'kubesim.io/grpc-server', extension: grpcServer }] } : {}) } }],
    users: [{ name: `${cluster}-admin`, user: token ? { token } : {} }],
    contexts: [{ name: cluster, context: { cluster, user: `${cluster}-admin`, namespace: 'default' } }],
    'current-context': cluster,
    preferences: {},
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(cfg), { mode: 0o600 });
}

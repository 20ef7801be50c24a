/**
 * Where the dashboard finds the apiserver, from the same flags as every component: the gRPC
 * target and token as lib/client/flags resolves them, plus the REST URL for logs (--rest-url,
 * else --master, else the kubeconfig's server, else the gRPC host on the apiserver's port 8080).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { resolveApiServer, type ClientFlags } from '../../lib/client/flags.js';
import type { ClientTls } from '../../lib/client/api-client.js';

/** The in-pod ServiceAccount token path. */
export const SA_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Flags of the dashboard process that say how to reach the apiserver. */
export interface ConnectFlags extends ClientFlags { restUrl?: string; tokenFile?: string }

function kubeconfigServer(path: string): string | undefined {
  const kc = parseYaml(readFileSync(path, 'utf8')) as { 'current-context'?: string; contexts?: Array<{ name: string; context: { cluster: string } }>; clusters?: Array<{ name: string; cluster: { server?: string } }> };
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  return (kc.clusters?.find((c) => c.name === ctx?.cluster) ?? kc.clusters?.[0])?.cluster.server;
}

/** grpcServer, restURL and token for startDashboard. */
export function connectOptions(f: ConnectFlags, env: NodeJS.ProcessEnv = process.env, saTokenPath = SA_TOKEN_PATH): { grpcServer: string; restURL: string; token?: string; tls?: ClientTls } {
  const { target, token: kcToken, tls } = resolveApiServer(f, env);
  const tokenFile = f.tokenFile ?? (existsSync(saTokenPath) ? saTokenPath : undefined);
  const token = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : kcToken;
  const host = target.split(',')[0]!.replace(/:\d+$/, '');
  const restURL = f.restUrl ?? f.master ?? (f.kubeconfig ? kubeconfigServer(f.kubeconfig) : undefined) ?? `http://${host}:8080`;
  return { grpcServer: target, restURL: restURL.replace(/\/$/, ''), token, ...(tls ? { tls } : {}) };
}

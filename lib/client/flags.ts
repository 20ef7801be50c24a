/**
 * Component flags for reaching the apiserver: `--kubeconfig`, `--master`, `--grpc-server=HOST:PORT`.
 * The gRPC address is, in order: --grpc-server; $KUBESIM_GRPC_SERVER; the kubeconfig cluster's
 * `kubesim.io/grpc-server` extension; else the host of --master (or of the kubeconfig server)
 * with the apiserver's default gRPC port 8081.
 * The bearer token is the kubeconfig user's `token` (or `tokenFile`); without a kubeconfig, inside
 * a pod, it is the ServiceAccount token mounted at /var/run/secrets/kubernetes.io/serviceaccount
 * (client-go's in-cluster config), re-read as the kubelet rotates it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiClient } from './api-client.js';

/** The apiserver's default --grpc-port. */
export const DEFAULT_GRPC_PORT = 8081;

/** Where a pod's ServiceAccount credentials are mounted (token, ca.crt, namespace). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Parsed values of the client flags (commander's camelCase names). */
export interface ClientFlags { kubeconfig?: string; master?: string; grpcServer?: string }

/** Adds --kubeconfig, --master and --grpc-server to a commander program. */
export function addClientFlags(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig file with the apiserver address (and token)')
    .option('--master <url>', 'apiserver REST URL (overrides the kubeconfig server)')
    .option('--grpc-server <host:port>', 'apiserver gRPC address, or ip:port,ip:port for several apiservers (overrides --master/--kubeconfig)');
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user?: string } }[];
  clusters?: { name: string; cluster: { server?: string; extensions?: { name: string; extension: unknown }[] } }[];
  users?: { name: string; user: { token?: string; tokenFile?: string } }[];
}

function fromKubeconfig(path: string): { server?: string; grpc?: string; token?: string; tokenFile?: string } {
  const kc = parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const ext = cluster?.extensions?.find((e) => e.name === 'kubesim.io/grpc-server')?.extension;
  const grpc = typeof ext === 'string' ? ext : (ext as { server?: string } | undefined)?.server;
  const user = kc.users?.find((u) => u.name === ctx?.user)?.user;
  return { server: cluster?.server, grpc, token: user?.token, tokenFile: user?.tokenFile };
}

function hostOf(url: string): string {
  // URL.hostname keeps the brackets of an IPv6 literal, which is what host:port needs
  return new URL(url.includes('://') ? url : `http://${url}`).hostname;
}

/** Where the apiserver is and who we are: gRPC target, bearer token (and the file it comes from, to re-read). */
export interface ResolvedApiServer { target: string; token?: string; tokenFile?: string }

/** Resolves the gRPC target and bearer token from the flags (see the module doc for the order). */
export function resolveApiServer(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env, saDir = SERVICE_ACCOUNT_DIR): ResolvedApiServer {
  const kc = flags.kubeconfig ? fromKubeconfig(flags.kubeconfig) : {};
  // In a pod without a kubeconfig: the mounted ServiceAccount token (in-cluster config).
  const tokenFile = kc.tokenFile ?? (!flags.kubeconfig && existsSync(join(saDir, 'token')) ? join(saDir, 'token') : undefined);
  const cred = { token: kc.token ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined), ...(tokenFile && !kc.token ? { tokenFile } : {}) };
  const explicit = flags.grpcServer ?? env.KUBESIM_GRPC_SERVER ?? kc.grpc;
  if (explicit) return { target: explicit, ...cred };
  const rest = flags.master ?? kc.server;
  return { target: `${rest ? hostOf(rest) : '127.0.0.1'}:${DEFAULT_GRPC_PORT}`, ...cred };
}

/** A token read from a file, re-read when the file changes (checked at most every 5 s), as client-go does with rotated tokens. */
export function fileTokenSource(file: string, first?: string): () => string | undefined {
  let token = first;
  let mtime = 0;
  let checked = 0;
  return () => {
    if (Date.now() - checked < 5000 && token) return token;
    checked = Date.now();
    try {
      const m = statSync(file).mtimeMs;
      if (m !== mtime || !token) { token = readFileSync(file, 'utf8').trim(); mtime = m; }
    } catch { /* keep the last token while the file is being swapped */ }
    return token;
  };
}

/** An ApiClient for the apiserver the flags name. */
export function clientFromFlags(flags: ClientFlags): ApiClient {
  return clientFor(resolveApiServer(flags));
}

/** An ApiClient for a resolved apiserver: a token file is re-read as it rotates. */
export function clientFor(r: ResolvedApiServer): ApiClient {
  if (r.tokenFile) return ApiClient.connect(r.target, { token: fileTokenSource(r.tokenFile, r.token) });
  return ApiClient.connect(r.target, r.token ? { metadata: { authorization: `Bearer ${r.token}` } } : {});
}

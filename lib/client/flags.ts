/**
 * Component flags for reaching the apiserver: `--kubeconfig`, `--master`, `--grpc-server=HOST:PORT`.
 * The gRPC address is, in order: --grpc-server; $KUBESIM_GRPC_SERVER; the kubeconfig cluster's
 * `kubesim.io/grpc-server` extension; else the host of --master (or of the kubeconfig server)
 * with the apiserver's default gRPC port 8081.
 * The bearer token is the kubeconfig user's `token` (or `tokenFile`); without a kubeconfig, inside
 * a pod, it is the ServiceAccount token mounted at /var/run/secrets/kubernetes.io/serviceaccount
 * (client-go's in-cluster config), re-read as the kubelet rotates it.
 * TLS: when the kubeconfig's cluster names a CA (certificate-authority[-data]) the gRPC connection
 * is TLS verified against it, presenting the user's client certificate when it has one (the
 * apiserver then authenticates the certificate: CN = user, O = groups); in a pod, the mounted
 * ca.crt does the same. Without a CA the connection is plain (test control planes, labs).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiClient, type ClientTls } from './api-client.js';

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
  clusters?: { name: string; cluster: { server?: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string; extensions?: { name: string; extension: unknown }[] } }[];
  users?: { name: string; user: { token?: string; tokenFile?: string; 'client-certificate'?: string; 'client-certificate-data'?: string; 'client-key'?: string; 'client-key-data'?: string } }[];
}

/** PEM from a kubeconfig's `<x>-data` (base64) or `<x>` (a file, relative to the kubeconfig's folder). */
function pem(base: string, data?: string, file?: string): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (file) return readFileSync(isAbsolute(file) ? file : join(base, file), 'utf8');
  return undefined;
}

function fromKubeconfig(path: string): { server?: string; grpc?: string; token?: string; tokenFile?: string; tls?: ClientTls } {
  const kc = parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const ext = cluster?.extensions?.find((e) => e.name === 'kubesim.io/grpc-server')?.extension;
  const grpc = typeof ext === 'string' ? ext : (ext as { server?: string } | undefined)?.server;
  const user = kc.users?.find((u) => u.name === ctx?.user)?.user;
  const base = dirname(path);
  const ca = pem(base, cluster?.['certificate-authority-data'], cluster?.['certificate-authority']);
  const cert = pem(base, user?.['client-certificate-data'], user?.['client-certificate']);
  const key = pem(base, user?.['client-key-data'], user?.['client-key']);
  // Certificates named by file are watched: a kubelet rotates kubelet-client-current.pem in place.
  const file = (f?: string) => (f ? (isAbsolute(f) ? f : join(base, f)) : undefined);
  const watched = !user?.['client-certificate-data'] && !user?.['client-key-data'] && user?.['client-certificate'] && user['client-key']
    ? { certFile: file(user['client-certificate']), keyFile: file(user['client-key']) } : {};
  const tls = ca ? { ca, ...(cert && key ? { cert, key, ...watched } : {}) } : undefined;
  return { server: cluster?.server, grpc, token: user?.token, tokenFile: user?.tokenFile, ...(tls ? { tls } : {}) };
}

/** The in-pod CA (ca.crt next to the token), when it holds a certificate. */
function inPodCA(saDir: string): string | undefined {
  try {
    const ca = readFileSync(join(saDir, 'ca.crt'), 'utf8');
    return ca.includes('BEGIN CERTIFICATE') ? ca : undefined;
  } catch { return undefined; }
}

function hostOf(url: string): string {
  // URL.hostname keeps the brackets of an IPv6 literal, which is what host:port needs
  return new URL(url.includes('://') ? url : `http://${url}`).hostname;
}

/** Where the apiserver is and who we are: gRPC target, bearer token (and the file it comes from, to re-read), TLS material. */
export interface ResolvedApiServer { target: string; token?: string; tokenFile?: string; tls?: ClientTls }

/** Resolves the gRPC target, bearer token and TLS from the flags (see the module doc for the order). */
export function resolveApiServer(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env, saDir = SERVICE_ACCOUNT_DIR): ResolvedApiServer {
  const kc = flags.kubeconfig ? fromKubeconfig(flags.kubeconfig) : {};
  // In a pod without a kubeconfig: the mounted ServiceAccount token (in-cluster config).
  const inPod = !flags.kubeconfig && existsSync(join(saDir, 'token'));
  const tokenFile = kc.tokenFile ?? (inPod ? join(saDir, 'token') : undefined);
  const tls = kc.tls ?? (inPod ? inPodCA(saDir) : undefined);
  const cred = {
    token: kc.token ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined), ...(tokenFile && !kc.token ? { tokenFile } : {}),
    ...(tls ? { tls: typeof tls === 'string' ? { ca: tls } : tls } : {}),
  };
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

/** An ApiClient for a resolved apiserver: a token file is re-read as it rotates; TLS when a CA is known. */
export function clientFor(r: ResolvedApiServer): ApiClient {
  const tls = r.tls ? { tls: r.tls } : {};
  if (r.tokenFile) return ApiClient.connect(r.target, { token: fileTokenSource(r.tokenFile, r.token), ...tls });
  return ApiClient.connect(r.target, { ...(r.token ? { metadata: { authorization: `Bearer ${r.token}` } } : {}), ...tls });
}

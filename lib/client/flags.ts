/**
 * Component flags for reaching the apiserver: `--kubeconfig`, `--master`, `--grpc-server=HOST:PORT`.
 * The gRPC address is, in order: --grpc-server; $KUBESIM_GRPC_SERVER; the kubeconfig cluster's
 * `kubesim.io/grpc-server` extension; else the host of --master (or of the kubeconfig server)
 * with the apiserver's default gRPC port 8081.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiClient } from './api-client.js';

/** The apiserver's default --grpc-port. */
export const DEFAULT_GRPC_PORT = 8081;

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
  users?: { name: string; user: { token?: string } }[];
}

function fromKubeconfig(path: string): { server?: string; grpc?: string; token?: string } {
  const kc = parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const ext = cluster?.extensions?.find((e) => e.name === 'kubesim.io/grpc-server')?.extension;
  const grpc = typeof ext === 'string' ? ext : (ext as { server?: string } | undefined)?.server;
  const token = kc.users?.find((u) => u.name === ctx?.user)?.user?.token;
  return { server: cluster?.server, grpc, token };
}

function hostOf(url: string): string {
  // URL.hostname keeps the brackets of an IPv6 literal, which is what host:port needs
  return new URL(url.includes('://') ? url : `http://${url}`).hostname;
}

/** Resolves the gRPC target and bearer token from the flags (see the module doc for the order). */
export function resolveApiServer(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): { target: string; token?: string } {
  const kc = flags.kubeconfig ? fromKubeconfig(flags.kubeconfig) : {};
  const explicit = flags.grpcServer ?? env.KUBESIM_GRPC_SERVER ?? kc.grpc;
  if (explicit) return { target: explicit, token: kc.token };
  const rest = flags.master ?? kc.server;
  return { target: `${rest ? hostOf(rest) : '127.0.0.1'}:${DEFAULT_GRPC_PORT}`, token: kc.token };
}

/** An ApiClient for the apiserver the flags name. */
export function clientFromFlags(flags: ClientFlags): ApiClient {
  const { target, token } = resolveApiServer(flags);
  return ApiClient.connect(target, token ? { metadata: { authorization: `Bearer ${token}` } } : {});
}

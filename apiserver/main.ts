#!/usr/bin/env node
/**
 * kube-apiserver for kubesim: flags (real kube-apiserver names where they exist), then wiring:
 * etcd client → Registry → REST (HTTP, --port) + gRPC (--grpc-port). SIGTERM/SIGINT: close
 * listeners, end watches, exit 0.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { Etcd3 } from 'etcd3';
import { createRegistry } from './registry/registry.js';
import { startGrpcServer } from './grpc/server.js';
import { startApiServer } from './server.js';
import { modeAuthorizer, parseTokenFile, tokenAuthenticator } from './rest/auth.js';
import { logLine, setVerbosity } from './rest/log.js';

const program = new Command('kube-apiserver')
  .description('kubesim API server: Kubernetes REST API (HTTP) and internal gRPC API over one registry backed by etcd')
  .option('--etcd-servers <urls>', 'comma-separated etcd client URLs', 'http://127.0.0.1:2379')
  .option('--etcd-prefix <prefix>', 'key prefix of every object in etcd', '/registry')
  .option('--bind-address <ip>', 'address to listen on (HTTP and gRPC)', '127.0.0.1')
  .option('--port <port>', 'insecure HTTP port of the REST API (0 = any free port)', '8080')
  .option('--grpc-port <port>', 'port of the internal gRPC API (0 = any free port, -1 = off)', '8081')
  .option('--service-cluster-ip-range <cidr>', 'ClusterIP range of Services', '10.96.0.0/12')
  .option('--service-node-port-range <range>', 'NodePort range of Services', '30000-32767')
  .option('--authorization-mode <mode>', 'AlwaysAllow or AlwaysDeny', 'AlwaysAllow')
  .option('--token-auth-file <file>', 'static bearer tokens: token,user,uid[,"group1,group2"] per line (REST only)')
  .option('--v <level>', 'log verbosity (2 = one line per request)', '0');

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -1 || n > 65535) throw new Error(`--${flag}: not a port: ${value}`);
  return n;
}

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts<Record<string, string>>();
  setVerbosity(Number(o.v) || 0);
  const authorize = modeAuthorizer(o.authorizationMode);
  const authenticate = o.tokenAuthFile ? tokenAuthenticator(parseTokenFile(readFileSync(o.tokenAuthFile, 'utf8'))) : undefined;
  const etcd = new Etcd3({ hosts: o.etcdServers.split(',').map((s) => s.trim()).filter(Boolean) });
  const registry = await createRegistry({ etcd, prefix: o.etcdPrefix, serviceClusterIPRange: o.serviceClusterIpRange, serviceNodePortRange: o.serviceNodePortRange });
  const grpcPort = port('grpc-port', o.grpcPort);
  const server = await startApiServer({
    registry,
    bindAddress: o.bindAddress,
    port: port('port', o.port),
    authenticate,
    authorize,
    healthy: () => etcdHealthy(etcd),
    startGrpc: grpcPort < 0 ? undefined : () => startGrpcServer({ registry, host: o.bindAddress, port: grpcPort }),
  });
  // Machine-readable line for launchers/tests that ask for port 0.
  process.stdout.write(`${JSON.stringify({ httpPort: server.httpPort, grpcPort: server.grpcPort })}\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logLine('info', 'shutting down', { signal });
    await server.close();
    await registry.close();
    etcd.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** True when etcd answers a status request within 2 s. */
async function etcdHealthy(etcd: Etcd3): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 2000); });
  try {
    return await Promise.race([etcd.maintenance.status().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

main().catch((err) => {
  logLine('error', 'apiserver failed to start', { err: (err as Error).message });
  process.exit(1);
});

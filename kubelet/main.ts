#!/usr/bin/env node
/**
 * kubelet: the node agent. Talks to the apiserver over gRPC (--grpc-server) and to the
 * container runtime over the CRI socket (--container-runtime-endpoint); flag names follow
 * the real kubelet where one exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { clientFromFlags } from '../lib/client/flags.js';
import { parseSubnetEnv } from './cni/subnet-env.js';
import { Kubelet } from './kubelet.js';
import { runHollowNodes } from './hollow.js';
import { createLogger } from './runtime/log.js';
import { CURRENT_PEM, bootstrapClientCertificate } from './certificate/bootstrap.js';
import { rotateClientCertificate } from './certificate/rotation.js';
import type { KubeletServerTls } from './server.js';

const program = new Command('kubelet')
  .option('--grpc-server <host:port>', "the apiserver's gRPC address (default: from --kubeconfig)")
  .option('--master <url>', 'the apiserver REST URL (accepted; the kubelet uses gRPC)')
  .option('--kubeconfig <path>', "the kubelet's identity (system:node:<name>): its client certificate or token authenticates it to the apiserver")
  .option('--bootstrap-kubeconfig <path>', 'kubeconfig with a bootstrap token: when --kubeconfig has no valid client certificate, one is requested with a CertificateSigningRequest and --kubeconfig is written to use it')
  .option('--cert-dir <dir>', 'where the client certificate (kubelet-client-current.pem) is kept', '/var/lib/kubelet/pki')
  .option('--rotate-certificates', 'request a new client certificate before the current one expires')
  .option('--tls-cert-file <file>', "serving certificate of the kubelet's server: it then speaks HTTPS")
  .option('--tls-private-key-file <file>', 'private key of --tls-cert-file')
  .option('--client-ca-file <file>', "CA of the clients the server accepts (with --tls-cert-file: only the apiserver's kubelet-client certificate gets in)")
  .option('--node-name <name>', 'name of this node (required unless --hollow-nodes)')
  .option('--node-ip <ip>', 'address reported as InternalIP', '127.0.0.1')
  .option('--container-runtime-endpoint <endpoint>', 'CRI socket (unix:///path)', 'unix:///run/kubesim/cri.sock')
  .option('--root-dir <dir>', 'kubelet state (pod volumes)', '/var/lib/kubelet')
  .option('--pod-log-root <dir>', 'pod logs root', '/var/log/pods')
  .option('--cluster-dns <ip>', 'cluster DNS server for ClusterFirst pods (comma-separated)', '10.96.0.10')
  .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
  .option('--resolv-conf <file>', 'resolv.conf for dnsPolicy Default', '/etc/resolv.conf')
  .option('--flannel-subnet-file <file>', "flanneld's subnet.env (the node's podCIDR)")
  .option('--max-pods <n>', 'pods capacity', '110')
  .option('--nfs-root <dir>', 'folder standing in for NFS servers, shared by the nodes of this machine', '/var/lib/kubesim/nfs')
  .option('--node-labels <k=v,...>', 'extra labels for the Node')
  .option('--address <ip>', 'address of the kubelet HTTP server (logs, stats)', '0.0.0.0')
  .option('--port <port>', 'port of the kubelet HTTP server', '10250')
  .option('--node-lease-duration-seconds <s>', 'duration of the node heartbeat Lease in kube-node-lease (renewed every quarter of it)', '40')
  .option('--hollow-nodes <n>', 'run N hollow (simulated) nodes instead of a real one', '0')
  .option('--hollow-node-prefix <prefix>', 'name prefix of hollow nodes', 'hollow-node-')
  .option('--hollow-startup-ms <ms>', 'simulated pod startup time on hollow nodes', '100')
  .option('--v <level>', 'log verbosity', '0')
  .parse();

const o = program.opts<Record<string, string | undefined>>();
const log = createLogger('kubelet');

function podCIDR(): string | undefined {
  if (!o.flannelSubnetFile) return undefined;
  try {
    const s = parseSubnetEnv(readFileSync(o.flannelSubnetFile, 'utf8'));
    const parts = s.gateway.split('.').map(Number);
    const size = 2 ** (32 - s.prefix);
    const base = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
    const net = Math.floor(base / size) * size;
    return `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.')}/${s.prefix}`;
  } catch { return undefined; }
}

/** HTTPS for the kubelet's server: only the apiserver's kubelet-client certificate (kubeadm's CN) is let in. */
function serverTlsFromFlags(): KubeletServerTls | undefined {
  if (!o.tlsCertFile) return undefined;
  if (!o.tlsPrivateKeyFile || !o.clientCaFile) throw new Error('--tls-cert-file needs --tls-private-key-file and --client-ca-file');
  return { cert: readFileSync(o.tlsCertFile, 'utf8'), key: readFileSync(o.tlsPrivateKeyFile, 'utf8'), clientCA: readFileSync(o.clientCaFile, 'utf8'), allowedUsers: ['kube-apiserver-kubelet-client'] };
}

async function main(): Promise<void> {
  if (!(Number(o.nodeLeaseDurationSeconds) >= 1)) throw new Error(`--node-lease-duration-seconds must be a whole number of seconds >= 1, got ${o.nodeLeaseDurationSeconds}`);
  const ac = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => { log.info('shutting down: heartbeats stop, pods keep running for the next kubelet', { signal: sig }); ac.abort(); });
  if (o.bootstrapKubeconfig) {
    if (!o.kubeconfig || !o.nodeName) throw new Error('--bootstrap-kubeconfig needs --kubeconfig (written) and --node-name');
    await bootstrapClientCertificate({
      kubeconfig: o.kubeconfig, bootstrapKubeconfig: o.bootstrapKubeconfig, certDir: o.certDir!, nodeName: o.nodeName, log, signal: ac.signal,
      connect: (kubeconfig) => clientFromFlags({ kubeconfig, grpcServer: o.grpcServer, master: o.master }),
    });
  }
  const client = clientFromFlags({ kubeconfig: o.kubeconfig, grpcServer: o.grpcServer, master: o.master });
  if (o.rotateCertificates && o.nodeName && !Number(o.hollowNodes) && existsSync(join(o.certDir!, CURRENT_PEM))) {
    void rotateClientCertificate({ client, certDir: o.certDir!, nodeName: o.nodeName, log }, ac.signal);
  }
  const serverTls = serverTlsFromFlags();
  if (Number(o.hollowNodes) > 0) {
    await runHollowNodes({ client, count: Number(o.hollowNodes), prefix: o.hollowNodePrefix!, startupMs: Number(o.hollowStartupMs), leaseDurationSeconds: Number(o.nodeLeaseDurationSeconds), log }, ac.signal);
    client.close();
    process.exit(0);
  }
  if (!o.nodeName) throw new Error('--node-name is required');
  const labels = Object.fromEntries((o.nodeLabels ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  let resolv = '';
  try { resolv = readFileSync(o.resolvConf!, 'utf8'); } catch { /* no node resolv.conf */ }
  const kubelet = new Kubelet({
    client, criEndpoint: o.containerRuntimeEndpoint!, rootDir: o.rootDir!, logRoot: o.podLogRoot!, log, serverHost: o.address, serverPort: Number(o.port), nfsRoot: o.nfsRoot, serverTls,
    nodeLeaseDurationSeconds: Number(o.nodeLeaseDurationSeconds),
    node: { name: o.nodeName!, ip: o.nodeIp!, podCIDR: podCIDR(), labels, maxPods: Number(o.maxPods) },
    cluster: { clusterDns: (o.clusterDns ?? '').split(',').filter(Boolean), clusterDomain: o.clusterDomain!, nodeResolvConf: resolv },
  });
  await kubelet.run(ac.signal);
  client.close();
  process.exit(0);
}

main().catch((err: Error) => {
  log.error('kubelet failed', { err: err.message });
  process.exit(1);
});

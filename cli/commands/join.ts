/**
 * `kubesim join`: this host becomes a node of a control plane running elsewhere (another host,
 * or a compose stack): flanneld, runtime, kubelet and kube-proxy started here as in `kubesim up`
 * (cli/cluster/components.ts), pointed at the remote apiserver and etcd. The overlay then spans
 * the hosts over UDP (VXLAN 8472 / UDP 8285). `kubesim join --leave` stops them and removes the
 * node's pods, links and state.
 */
import { writeKubeconfig } from '../cluster/kubeconfig.js';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pkiDirOf, secureURL } from '../cluster/credentials.js';
import { createBootstrapToken } from '../cluster/bootstrap-token.js';
import { ensureKubeletServing, pkiPaths } from '../../lib/pki/cluster.js';
import { clusterLayout } from '../cluster/layout.js';
import { readState } from '../cluster/state.js';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join as pathJoin } from 'node:path';
import { DIST, apiURL, etcdURL, flanneldEtcdTls, grpcAddr, nodeProcessSpecs, type NodeProcessParams } from '../cluster/components.js';
import { checkPrerequisites } from '../cluster/prereq.js';
import { startProcess, isAlive, markedPids, stopPids, type StartSpec } from '../cluster/supervisor.js';
import type { ProcessRecord } from '../cluster/state.js';
import { unmountBelow } from '../cluster/mounts.js';
import { waitFor } from '../../lib/testing/wait.js';
import { UserError } from './up.js';
import { CURRENT_PEM } from '../../kubelet/certificate/bootstrap.js';

export interface JoinOptions {
  apiserver: string;       // REST URL of the control plane (as this host reaches it)
  grpcServer?: string;     // gRPC address(es); default <apiserver host>:8081
  etcd: string;            // etcd client URL(s) for flanneld
  token?: string;          // bearer token (--token-auth-file on the apiserver)
  credentials?: string;    // dir made by `kubesim join --print-command` on a `kubesim up` host: ca.crt, token, kubelet.crt/.key
  nodeName?: string;       // default: this host's name
  nodeIp?: string;         // default: the source address of the route to the apiserver
  iface?: string;          // underlay interface for flanneld (default: the one with nodeIp)
  dir?: string;            // state dir (default /var/lib/kubesim/join/<node>)
  clusterCidr: string;
  clusterDns: string;
  timeout: number;         // seconds to wait for Ready
  v: number;
  leave?: boolean;
}

interface JoinState { node: string; apiserver: string; processes: ProcessRecord[] }

const node = process.execPath;
const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/** The process marker of a joined node (supervisor's KUBESIM_CLUSTER environment entry). */
export function joinMarker(nodeName: string): string { return `join-${nodeName}`; }

function parseURL(what: string, v: string): URL {
  try {
    const u = new URL(v);
    if (!['http:', 'https:'].includes(u.protocol)) throw new Error('scheme');
    return u;
  } catch {
    throw new UserError(`${what} "${v}" is not an http(s) URL (e.g. http://10.0.0.5:8080)`);
  }
}

/** The address this host uses to reach `host` (the `src` of `ip route get`). */
export function sourceAddressTo(host: string): string {
  const out = execFileSync('ip', ['-o', 'route', 'get', host], { encoding: 'utf8' });
  const m = / src (\d+\.\d+\.\d+\.\d+)/.exec(out);
  if (!m) throw new UserError(`no route from this host to ${host}: give --node-ip`);
  return m[1];
}

/** The node's processes (flanneld first: the others read its subnet.env). */
export function joinSpecs(o: Required<Pick<JoinOptions, 'apiserver' | 'grpcServer' | 'etcd' | 'nodeName' | 'nodeIp' | 'dir' | 'clusterCidr' | 'clusterDns' | 'v'>> & { iface?: string; kubeletTls?: NodeProcessParams['kubeletTls']; etcdTls?: NodeProcessParams['etcdTls']; kubeletBootstrap?: NodeProcessParams['kubeletBootstrap'] }): StartSpec[] {
  return nodeProcessSpecs({
    nodeName: o.nodeName, nodeIp: o.nodeIp, dir: o.dir, logDir: pathJoin(o.dir, 'logs'), iface: o.iface ?? o.nodeIp,
    etcd: o.etcd, apiURL: o.apiserver, grpcServer: o.grpcServer, clusterCidr: o.clusterCidr, clusterDns: o.clusterDns,
    netnsPrefix: `ksim-join-${o.nodeName}-`.slice(0, 40), cgroupPrefix: `kubesim-join-${o.nodeName}`, v: o.v,
    kubeconfig: pathJoin(o.dir, 'kubeconfig'), kubeletTls: o.kubeletTls, etcdTls: o.etcdTls, kubeletBootstrap: o.kubeletBootstrap,
  });
}

/** How the join command reads the API: a bearer token, or the client certificate + key PEM file the kubelet got (bootstrap). */
interface ReadAuth { token?: string; ca?: string; certFile?: string }

/** GET `url` (HTTPS verified with `ca`) as JSON, or undefined when it does not answer 200. */
function getJson(url: string, auth: ReadAuth): Promise<unknown> {
  const pem = auth.certFile && existsSync(auth.certFile) ? readFileSync(auth.certFile, 'utf8') : undefined;
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { headers: auth.token && !pem ? { authorization: `Bearer ${auth.token}` } : {}, ca: auth.ca, ...(pem ? { cert: pem, key: pem } : {}), timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
        try { resolve(res.statusCode === 200 ? JSON.parse(body) : undefined); } catch (err) { reject(err); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out'))).on('error', reject).end();
  });
}

async function nodeReady(api: string, name: string, auth: ReadAuth): Promise<boolean> {
  const n = await getJson(`${api}/api/v1/nodes/${encodeURIComponent(name)}`, auth) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
  return !!n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** How long a printed join command's bootstrap token is valid (kubeadm's default token TTL). */
const JOIN_TOKEN_TTL_SECONDS = 24 * 3600;

/**
 * The `kubesim join` command line for a new node of local cluster `cluster` (run on its host),
 * after writing the node's credentials to `outDir` for the joining host to copy: the cluster CA,
 * a bootstrap token (Secret bootstrap-token-<id> in kube-system, valid 24 h) with which its
 * kubelet asks for its client certificate (a CSR the controller manager approves and signs), and
 * the serving certificate of its kubelet (SANs: the node name and `nodeIp`), as kubeadm's join
 * hands them out, plus etcd's CA and flanneld's etcd client certificate (etcd admits certified clients only).
 */
export async function joinCommand(cluster: string, nodeName: string, nodeIp: string, outDir: string): Promise<string> {
  const state = readState(cluster);
  if (!state) throw new UserError(`no cluster named "${cluster}" on this host`);
  if (!NAME_RE.test(nodeName)) throw new UserError(`invalid node name "${nodeName}": lowercase letters, digits, '-' and '.'`);
  const c = clusterLayout(cluster, state.index);
  const pki = pkiDirOf(c);
  const serving = ensureKubeletServing(pki, nodeName, [nodeIp]);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  copyFileSync(pkiPaths(pki, 'ca').cert, pathJoin(outDir, 'ca.crt'));
  writeFileSync(pathJoin(outDir, 'kubelet.crt'), serving.cert);
  writeFileSync(pathJoin(outDir, 'kubelet.key'), serving.key, { mode: 0o600 });
  // flanneld's way into etcd (https, client certificates of etcd's CA only).
  const etcdTls = flanneldEtcdTls(c);
  copyFileSync(etcdTls.caFile!, pathJoin(outDir, 'etcd-ca.crt'));
  copyFileSync(etcdTls.certFile!, pathJoin(outDir, 'flanneld-etcd-client.crt'));
  copyFileSync(etcdTls.keyFile!, pathJoin(outDir, 'flanneld-etcd-client.key'));
  const token = await createBootstrapToken(apiURL(c), JOIN_TOKEN_TTL_SECONDS, `kubesim join --print-command ${nodeName}`);
  writeFileSync(pathJoin(outDir, 'token'), `${token}\n`, { mode: 0o600 });
  return `kubesim join --apiserver ${secureURL(c)} --grpc-server ${grpcAddr(c)} --etcd ${etcdURL(c)} --node-name ${nodeName} --node-ip ${nodeIp} --credentials ${outDir}`;
}

/** What a credentials dir gives: token, CA and the kubelet's serving certificate files. */
function readCredentials(dir: string): { token: string; ca: string; tls: { tlsCertFile: string; tlsKeyFile: string; clientCAFile: string }; etcdTls?: NodeProcessParams['etcdTls'] } {
  const file = (f: string) => { const p = pathJoin(dir, f); if (!existsSync(p)) throw new UserError(`--credentials ${dir} has no ${f} (made by kubesim join --print-command)`); return p; };
  // etcd's CA and flanneld's client certificate: present when the control plane's etcd is https.
  const etcdTls = existsSync(pathJoin(dir, 'etcd-ca.crt'))
    ? { caFile: file('etcd-ca.crt'), certFile: file('flanneld-etcd-client.crt'), keyFile: file('flanneld-etcd-client.key') } : undefined;
  return { token: readFileSync(file('token'), 'utf8').trim(), ca: readFileSync(file('ca.crt'), 'utf8'), tls: { tlsCertFile: file('kubelet.crt'), tlsKeyFile: file('kubelet.key'), clientCAFile: file('ca.crt') }, ...(etcdTls ? { etcdTls } : {}) };
}

/** Waits until the bootstrapping kubelet has written `kubeconfig` (its CSR approved and signed). */
async function waitForKubeconfig(state: JoinState, kubeconfig: string): Promise<void> {
  await waitFor('the kubelet\'s client certificate (its CSR approved and signed)', () => {
    const dead = state.processes.find((p) => !isAlive(p.pid));
    if (dead) throw new Error(`${dead.component} exited; see ${dead.log}`);
    return existsSync(kubeconfig);
  }, { timeoutMs: 60_000, intervalMs: 200 });
}

/** Stops a joined node's processes and pods and removes its state (safe to run twice). */
export async function leave(nodeName: string, dir: string): Promise<void> {
  const stateFile = pathJoin(dir, 'join.json');
  const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) as JoinState : undefined;
  await stopPids([...new Set([...(state?.processes.map((p) => p.pid) ?? []), ...markedPids(joinMarker(nodeName))])], 5000);
  // Pods outlive the runtime by design: the runtime's cleanup mode removes them, then kube-proxy's its interface.
  const runtimeArgs = state?.processes.find((p) => p.component === 'runtime')?.args;
  if (runtimeArgs) {
    const i = runtimeArgs.findIndex((a) => a.endsWith('main.js'));
    try { execFileSync(node, [...runtimeArgs.slice(i), '--cleanup'], { stdio: 'ignore', timeout: 60_000 }); } catch { /* best effort */ }
  }
  try { execFileSync(node, [pathJoin(DIST, 'kube-proxy', 'main.js'), '--cleanup'], { stdio: 'ignore', timeout: 30_000 }); } catch { /* best effort */ }
  await stopPids(markedPids(joinMarker(nodeName)), 1000);
  unmountBelow(dir);
  rmSync(dir, { recursive: true, force: true });
  console.log(`node "${nodeName}" left; remove it from the cluster with: kubectl delete node ${nodeName}`);
}

/** Joins this host to a remote control plane; resolves once the node is Ready. */
export async function joinCluster(o: JoinOptions): Promise<void> {
  const nodeName = o.nodeName ?? hostname().toLowerCase();
  if (!NAME_RE.test(nodeName)) throw new UserError(`invalid node name "${nodeName}": lowercase letters, digits, '-' and '.'`);
  const dir = o.dir ?? pathJoin(process.env.KUBESIM_STATE_ROOT ?? '/var/lib/kubesim', 'join', nodeName);
  if (o.leave) return leave(nodeName, dir);
  const api = parseURL('--apiserver', o.apiserver);
  for (const e of o.etcd.split(',')) parseURL('--etcd', e.trim());
  const problems = checkPrerequisites(DIST, ['kubelet', 'flanneld', 'kube-proxy']);
  if (problems.length) throw new UserError(`this host is not ready:\n${problems.map((p) => `  - ${p.what}\n      fix: ${p.fix}`).join('\n')}`);
  if (markedPids(joinMarker(nodeName)).some(isAlive)) throw new UserError(`node "${nodeName}" is already joined here; leave first: kubesim join --leave --node-name ${nodeName}`);
  const nodeIp = o.nodeIp ?? sourceAddressTo(api.hostname);
  const grpcServer = o.grpcServer ?? `${api.hostname}:8081`;
  const apiserver = api.origin;
  mkdirSync(pathJoin(dir, 'logs'), { recursive: true });
  // A node routes pod traffic between cni0 and the overlay (kubeadm's preflight demands the same).
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  const creds = o.credentials ? readCredentials(o.credentials) : undefined;
  if (api.protocol === 'https:' && !creds) throw new UserError('an https --apiserver needs --credentials (made on the control plane by: kubesim join --print-command --node-name NAME --node-ip IP)');
  const token = creds?.token ?? o.token;
  const ca = creds?.ca;
  const kubeconfig = pathJoin(dir, 'kubeconfig');
  // With --credentials the token is a bootstrap token: the kubelet trades it for its client
  // certificate (a CSR) and writes the kubeconfig the node then uses (kube-proxy too).
  const kubeletBootstrap = creds ? { kubeconfig: pathJoin(dir, 'bootstrap-kubelet.conf'), certDir: pathJoin(dir, 'pki') } : undefined;
  if (kubeletBootstrap) {
    rmSync(kubeconfig, { force: true });
    writeKubeconfig(kubeletBootstrap.kubeconfig, 'join', apiserver, grpcServer, { token, caCert: ca, user: 'tls-bootstrap-token-user' });
  } else {
    writeKubeconfig(kubeconfig, 'join', apiserver, grpcServer, { token, caCert: ca, user: `system:node:${nodeName}` });
  }
  const state: JoinState = { node: nodeName, apiserver, processes: [] };
  const save = () => writeFileSync(pathJoin(dir, 'join.json'), JSON.stringify(state, null, 2));
  const [flanneld, ...rest] = joinSpecs({ apiserver, grpcServer, etcd: o.etcd, nodeName, nodeIp, dir, clusterCidr: o.clusterCidr, clusterDns: o.clusterDns, v: o.v, iface: o.iface, kubeletTls: creds?.tls, etcdTls: creds?.etcdTls, kubeletBootstrap });
  console.log(`kubesim: joining ${apiserver} as node "${nodeName}" (${nodeIp}); logs in ${pathJoin(dir, 'logs')}`);
  try {
    const marker = joinMarker(nodeName);
    state.processes.push(startProcess(marker, flanneld));
    save();
    await waitFor('flanneld subnet lease', () => {
      if (!isAlive(state.processes[0].pid)) throw new Error(`flanneld exited; see ${flanneld.log}`);
      return existsSync(pathJoin(dir, 'run', 'flannel', 'subnet.env'));
    }, { timeoutMs: 30_000, intervalMs: 200 });
    for (const spec of rest) {
      // kube-proxy reads the kubeconfig a bootstrapping kubelet writes once its certificate is issued.
      if (spec.component === 'kube-proxy' && kubeletBootstrap) await waitForKubeconfig(state, kubeconfig);
      state.processes.push(startProcess(marker, spec));
      save();
    }
    await waitFor(`node ${nodeName} Ready`, async () => {
      const dead = state.processes.find((p) => !isAlive(p.pid));
      if (dead) throw new Error(`${dead.component} exited; see ${dead.log}`);
      // A bootstrap token may not read nodes: the kubelet's new certificate does.
      return nodeReady(apiserver, nodeName, kubeletBootstrap ? { ca, certFile: pathJoin(kubeletBootstrap.certDir, CURRENT_PEM) } : { token, ca });
    }, { timeoutMs: o.timeout * 1000, intervalMs: 500 });
  } catch (err) {
    console.error(`kubesim: join failed: ${(err as Error).message}; logs kept in ${pathJoin(dir, 'logs')} until: kubesim join --leave --node-name ${nodeName}`);
    throw new UserError((err as Error).message);
  }
  console.log(`node "${nodeName}" is Ready. Leave with: kubesim join --leave --node-name ${nodeName}`);
}

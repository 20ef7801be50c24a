/**
 * The proxier in real namespaces: a "node" namespace runs the proxier (a child process fed a JSON
 * file), a "pod" namespace holds the backends (several addresses) and acts as a client routed to
 * the node for the service range, as pods are through cni0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { Endpoints, Service } from '../lib/api/types.js';
import { addAddress, createNetns, createVeth, deleteNetns, execIn, ipIn, spawnIn, uniqueName } from '../lib/testing/netns.js';
import { waitFor } from '../lib/testing/wait.js';

const script = (name: string) => fileURLToPath(new URL(`./testing/${name}.js`, import.meta.url));
const id = uniqueName('');
const nodeNs = `ksimt-pn${id}`;
const podNs = `ksimt-pp${id}`;
const NODE_IP = '10.250.7.1';
const BACKENDS = ['10.250.7.2', '10.250.7.3', '10.250.7.4'];
const DEAD = '10.250.7.5'; // an address with nothing listening: connects are refused
const SILENT = '10.250.7.6'; // an address nobody has: connects get no answer at all
const dir = mkdtempSync(join(tmpdir(), 'ksimt-proxier-'));
const stateFile = join(dir, 'state.json');
const procs: ChildProcess[] = [];
let proxier: ChildProcess | undefined;

function service(name: string, clusterIP: string, spec: Service['spec'] = {}): Service {
  return { metadata: { namespace: 'default', name }, spec: { clusterIP, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}
function endpoints(name: string, ips: string[], ports = [{ port: 8080 }] as { port: number; protocol?: string; name?: string }[]): Endpoints {
  return { metadata: { namespace: 'default', name }, subsets: ips.length ? [{ addresses: ips.map((ip) => ({ ip, nodeName: 'node-a' })), ports }] : [] };
}

const baseState = () => ({
  nodeName: 'node-a',
  services: [
    service('rr', '10.96.7.10'),
    service('sticky', '10.96.7.11', { sessionAffinity: 'ClientIP' }),
    service('empty', '10.96.7.12'),
    service('retry', '10.96.7.13'),
    service('np', '10.96.7.14', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }),
    service('udp', '10.96.7.15', { ports: [{ port: 53, protocol: 'UDP', targetPort: 8080 }] }),
    service('multi', '10.96.7.16', { externalIPs: ['10.250.7.100'], ports: [
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' }, { name: 'dns-udp', port: 53, protocol: 'UDP', targetPort: 'dns-udp' },
      { name: 'alt', port: 8081, targetPort: 8080 }] }),
    service('local', '10.96.7.17', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80, targetPort: 8080, nodePort: 30081 }] }),
    service('blackhole', '10.96.7.21'),
    service('lb-local', '10.96.7.22', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32001, ports: [{ port: 80, targetPort: 8080, nodePort: 30083 }] }),
    service('lb-remote', '10.96.7.23', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32002, ports: [{ port: 80, targetPort: 8080, nodePort: 30084 }] }),
    service('eof', '10.96.7.20', { ports: [{ port: 80, targetPort: 8081 }] }),
    service('kube-dns', '10.96.0.10', { ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] }),
    { ...service('lb', '10.96.7.18', { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080, nodePort: 30082 }] }), status: { loadBalancer: { ingress: [{ ip: '10.250.7.101' }] } } },
  ],
  endpoints: [
    endpoints('rr', BACKENDS), endpoints('sticky', BACKENDS), endpoints('empty', []),
    endpoints('retry', [DEAD, BACKENDS[0]]), endpoints('np', [BACKENDS[1]]),
    endpoints('udp', [BACKENDS[2]], [{ port: 8080, protocol: 'UDP' }]),
    endpoints('multi', [BACKENDS[0]], [{ name: 'dns-tcp', port: 8080, protocol: 'TCP' }, { name: 'dns-udp', port: 8080, protocol: 'UDP' }, { name: 'alt', port: 8080 }]),
    { metadata: { namespace: 'default', name: 'local' }, subsets: [{ addresses: [{ ip: BACKENDS[1], nodeName: 'node-b' }], ports: [{ port: 8080 }] }] },
    endpoints('lb', [BACKENDS[2]]),
    endpoints('eof', [BACKENDS[0]], [{ port: 8081 }]),
    endpoints('blackhole', [SILENT, BACKENDS[2]]),
    endpoints('lb-local', [BACKENDS[0]]),
    { metadata: { namespace: 'default', name: 'lb-remote' }, subsets: [{ addresses: [{ ip: BACKENDS[1], nodeName: 'node-b' }], ports: [{ port: 8080 }] }] },
    endpoints('kube-dns', [BACKENDS[1]], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]),
  ],
});

function readLine(p: ChildProcess, want: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) if (want(line)) { p.stdout!.off('data', onData); resolve(line); return; }
    };
    p.stdout!.on('data', onData);
    p.once('exit', (code) => reject(new Error(`process exited (${code}) before the expected line; output: ${buf}`)));
  });
}

async function startProxier(state: object): Promise<ChildProcess> {
  writeFileSync(stateFile, JSON.stringify(state));
  const p = spawnIn(nodeNs, process.execPath, [script('run-proxier'), stateFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(p);
  await readLine(p, (l) => l.includes('"ready"'));
  return p;
}

async function update(state: object): Promise<void> {
  writeFileSync(stateFile, JSON.stringify(state));
  const synced = readLine(proxier!, (l) => l.includes('"synced"'));
  proxier!.kill('SIGHUP');
  await synced;
}

async function client(ns: string, ...args: string[]): Promise<unknown[]> {
  return JSON.parse(await execIn(ns, process.execPath, [script('client'), ...args]));
}

async function addresses(): Promise<string[]> {
  const out = JSON.parse(await ipIn(nodeNs, '-j', '-4', 'addr', 'show', 'dev', 'kube-ipvs0')) as { addr_info: { local: string }[] }[];
  return out.flatMap((l) => l.addr_info.map((a) => a.local)).sort();
}

before(async () => {
  await createNetns(nodeNs);
  await createNetns(podNs);
  await createVeth(`ksimt-n${id}`, nodeNs, `ksimt-p${id}`, podNs);
  await addAddress(nodeNs, `ksimt-n${id}`, `${NODE_IP}/24`);
  for (const ip of [...BACKENDS, DEAD]) await addAddress(podNs, `ksimt-p${id}`, `${ip}/24`);
  // The pod reaches services through its node, as pods do through cni0 (inside test namespaces only).
  await ipIn(podNs, 'route', 'add', '10.96.0.0/12', 'via', NODE_IP);
  const backend = spawnIn(podNs, process.execPath, [script('backend'), ...BACKENDS.map((ip) => `${ip}:8080`)], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(backend);
  await readLine(backend, (l) => l === 'ready');
  const dns = spawnIn(podNs, process.execPath, [fileURLToPath(new URL('../dns/testing/run-dns.js', import.meta.url)), '53', BACKENDS[1]], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(dns);
  await readLine(dns, (l) => l === 'ready');
  mkdirSync(`/etc/netns/${podNs}`, { recursive: true });
  writeFileSync(`/etc/netns/${podNs}/resolv.conf`, 'nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
  proxier = await startProxier(baseState());
});

after(async () => {
  for (const p of procs) p.kill('SIGKILL');
  await deleteNetns(podNs);
  await deleteNetns(nodeNs);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`/etc/netns/${podNs}`, { recursive: true, force: true });
});

test('TCP to a ClusterIP reaches every backend in turn (round robin), from the node and from a pod', async () => {
  const fromNode = (await client(nodeNs, 'tcp', '10.96.7.10', '80', '6')) as { reply: string }[];
  const seen = fromNode.map((r) => r.reply);
  for (const b of BACKENDS) assert.equal(seen.filter((s) => s === `${b}:8080`).length, 2, `backend ${b} in ${seen}`);
  const fromPod = (await client(podNs, 'tcp', '10.96.7.10', '80', '3')) as { reply: string }[];
  assert.deepEqual(fromPod.map((r) => r.reply).sort(), BACKENDS.map((b) => `${b}:8080`));
});

test('sessionAffinity ClientIP keeps a client on one backend', async () => {
  const replies = ((await client(podNs, 'tcp', '10.96.7.11', '80', '5')) as { reply: string }[]).map((r) => r.reply);
  assert.ok(replies[0].endsWith(':8080'), replies[0]);
  assert.deepEqual(new Set(replies).size, 1, `${replies}`);
});

test('no ready endpoint: the connection is reset at once', async () => {
  const [r] = (await client(podNs, 'tcp', '10.96.7.12', '80', '1')) as { reply: string; ms: number }[];
  assert.equal(r.reply, 'ERR:ECONNRESET');
  assert.ok(r.ms < 1000, `took ${r.ms} ms`);
});

test('a refused endpoint is skipped: every connection is served', async () => {
  const replies = ((await client(podNs, 'tcp', '10.96.7.13', '80', '4')) as { reply: string }[]).map((r) => r.reply);
  assert.deepEqual(replies, Array(4).fill(`${BACKENDS[0]}:8080`));
});

test('a connect that gets no answer times out and the next endpoint serves', async () => {
  const replies = (await client(podNs, 'tcp', '10.96.7.21', '80', '2')) as { reply: string; ms: number }[];
  assert.deepEqual(replies.map((r) => r.reply), [`${BACKENDS[2]}:8080`, `${BACKENDS[2]}:8080`]);
  // One of the two tried the silent endpoint first and waited for the connect timeout (1 s here).
  assert.ok(Math.max(...replies.map((r) => r.ms)) >= 900, JSON.stringify(replies));
});

test('NodePort answers on the node address (external → nodePort → targetPort)', async () => {
  const [r] = (await client(podNs, 'tcp', NODE_IP, '30080', '1')) as { reply: string }[];
  assert.equal(r.reply, `${BACKENDS[1]}:8080`);
});

test('UDP echo through a service address; replies come from the service address', async () => {
  // The client sockets are connected to the service address: a reply from anywhere else is dropped.
  const replies = await client(podNs, 'udp', '10.96.7.15', '53', '3');
  assert.deepEqual(replies, [0, 1, 2].map((i) => `${BACKENDS[2]}:8080 ping${i}`));
});

test('multi-port service: TCP and UDP on the same port, a second port, an external IP reachable from the underlay', async () => {
  const [tcp] = (await client(podNs, 'tcp', '10.96.7.16', '53', '1')) as { reply: string }[];
  assert.equal(tcp.reply, `${BACKENDS[0]}:8080`);
  assert.deepEqual(await client(podNs, 'udp', '10.96.7.16', '53', '1'), [`${BACKENDS[0]}:8080 ping0`]);
  const [alt] = (await client(podNs, 'tcp', '10.96.7.16', '8081', '1')) as { reply: string }[];
  assert.equal(alt.reply, `${BACKENDS[0]}:8080`);
  // The pod namespace has no route for this address: it is found on the link, as on an underlay.
  const [ext] = (await client(podNs, 'tcp', '10.250.7.100', '53', '1')) as { reply: string }[];
  assert.equal(ext.reply, `${BACKENDS[0]}:8080`);
});

test('LoadBalancer: the ingress IP and the node port both reach the service', async () => {
  const [viaLB] = (await client(podNs, 'tcp', '10.250.7.101', '80', '1')) as { reply: string }[];
  assert.equal(viaLB.reply, `${BACKENDS[2]}:8080`);
  const [viaNodePort] = (await client(podNs, 'tcp', NODE_IP, '30082', '1')) as { reply: string }[];
  assert.equal(viaNodePort.reply, `${BACKENDS[2]}:8080`);
});

test('healthCheckNodePort: 200 with the local endpoint count, 503 on a node without local endpoints', async () => {
  const get = async (port: number) => (await execIn(podNs, process.execPath, ['-e',
    `fetch('http://${NODE_IP}:${port}/healthz').then(async (r) => console.log(r.status, await r.text()))`])).trim();
  assert.equal(await get(32001), '200 {"service":{"namespace":"default","name":"lb-local"},"localEndpoints":1,"serviceProxyHealthy":true}');
  assert.match(await get(32002), /^503 .*"localEndpoints":0/);
});

test('externalTrafficPolicy Local: no endpoint on this node → NodePort resets; the ClusterIP still works', async () => {
  const [np] = (await client(podNs, 'tcp', NODE_IP, '30081', '1')) as { reply: string }[];
  assert.equal(np.reply, 'ERR:ECONNRESET');
  const [cip] = (await client(podNs, 'tcp', '10.96.7.17', '80', '1')) as { reply: string }[];
  assert.equal(cip.reply, `${BACKENDS[1]}:8080`);
});

test('cluster DNS through the kube-dns service address: a pod resolves names over UDP, large answers over TCP', async () => {
  const web = (await execIn(podNs, 'getent', ['hosts', 'web'])).trim();
  assert.equal(web.split(/\s+/).join(' '), '10.96.0.20 web.default.svc.cluster.local');
  // 100 addresses do not fit in a UDP answer: glibc retries over TCP, through the proxier too.
  const big = (await execIn(podNs, 'getent', ['ahostsv4', 'big'])).trim().split('\n').filter((l) => l.includes('STREAM'));
  assert.equal(big.length, 100);
});

test('an endpoint that leaves drains: new connections avoid it, nothing else changes', async () => {
  // A connection made before all endpoints leave keeps working; new ones are reset.
  const held = spawnIn(nodeNs, process.execPath, [script('client'), 'hold', '10.96.7.10', '80', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(held);
  await readLine(held, (l) => l.startsWith('greeting '));
  const echoed = readLine(held, (l) => l.startsWith('echo '));
  const none = baseState();
  none.endpoints[0] = endpoints('rr', []);
  await update(none);
  const [r] = (await client(nodeNs, 'tcp', '10.96.7.10', '80', '1')) as { reply: string }[];
  assert.equal(r.reply, 'ERR:ECONNRESET');
  assert.equal(await echoed, 'echo still-here');
  const s = baseState();
  s.endpoints[0] = endpoints('rr', [BACKENDS[0]]);
  await update(s);
  const replies = ((await client(nodeNs, 'tcp', '10.96.7.10', '80', '3')) as { reply: string }[]).map((r) => r.reply);
  assert.deepEqual(replies, Array(3).fill(`${BACKENDS[0]}:8080`));
  await update(baseState());
});

test('half-close: the client\'s FIN reaches the backend, whose answer still comes back', async () => {
  const reply = JSON.parse(await execIn(podNs, process.execPath, [script('client'), 'halfclose', '10.96.7.20', '80', '300000']));
  assert.equal(reply, `${BACKENDS[0]}:8080 got 300000`);
});

test('bulk data both ways on 16 parallel connections arrives whole and in order (back-pressure, half-close)', async () => {
  const results = (await client(podNs, 'bulk', '10.96.7.10', '80', String(4 << 20), '16')) as { sent: number; received: number; same: boolean }[];
  assert.equal(results.length, 16);
  for (const r of results) assert.deepEqual(r, { sent: 4 << 20, received: 4 << 20, same: true });
});

test('the proxier lets outgoing connections reuse TIME_WAIT ports in its namespace (net.ipv4.tcp_tw_reuse=1)', async () => {
  assert.equal((await execIn(nodeNs, 'sysctl', ['-n', 'net.ipv4.tcp_tw_reuse'])).trim(), '1');
});

test('a NodePort held by another process is bound once it is free (retried)', async () => {
  const blocker = spawnIn(nodeNs, process.execPath, ['-e', `require('net').createServer((c) => c.destroy()).listen(30090, () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(blocker);
  await readLine(blocker, (l) => l === 'ready');
  const s = baseState();
  s.services.push(service('late', '10.96.7.19', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30090 }] }));
  s.endpoints.push(endpoints('late', [BACKENDS[0]]));
  await update(s);
  const [taken] = (await client(podNs, 'tcp', NODE_IP, '30090', '1')) as { reply: string }[];
  assert.notEqual(taken.reply, `${BACKENDS[0]}:8080`);
  // The ClusterIP of the same service works meanwhile.
  const [cip] = (await client(podNs, 'tcp', '10.96.7.19', '80', '1')) as { reply: string }[];
  assert.equal(cip.reply, `${BACKENDS[0]}:8080`);
  blocker.kill('SIGKILL');
  await waitFor('NodePort bound by the proxier', async () => {
    const [r] = (await client(podNs, 'tcp', NODE_IP, '30090', '1')) as { reply: string }[];
    return r.reply === `${BACKENDS[0]}:8080`;
  }, { timeoutMs: 10_000, intervalMs: 200 });
  await update(baseState());
});

test('a removed service loses its address; a restarted proxier rebuilds exactly the wanted addresses', async () => {
  const wanted = ['10.250.7.100', '10.250.7.101', '10.96.0.10', '10.96.7.10', '10.96.7.11', '10.96.7.12', '10.96.7.13', '10.96.7.14', '10.96.7.15', '10.96.7.16', '10.96.7.17', '10.96.7.18', '10.96.7.20', '10.96.7.21', '10.96.7.22', '10.96.7.23'];
  assert.deepEqual(await addresses(), wanted);
  const s = baseState();
  s.services = s.services.filter((x) => x.metadata!.name !== 'empty');
  await update(s);
  assert.deepEqual(await addresses(), wanted.filter((a) => a !== '10.96.7.12'));
  // Crash (SIGKILL), a stale address appears meanwhile, and one more service goes away.
  proxier!.kill('SIGKILL');
  await waitFor('proxier exit', () => proxier!.exitCode !== null || proxier!.signalCode !== null);
  await ipIn(nodeNs, 'addr', 'add', '10.96.7.99/32', 'dev', 'kube-ipvs0');
  s.services = s.services.filter((x) => x.metadata!.name !== 'sticky');
  proxier = await startProxier(s);
  assert.deepEqual(await addresses(), wanted.filter((a) => a !== '10.96.7.12' && a !== '10.96.7.11'));
  const [r] = (await client(podNs, 'tcp', '10.96.7.13', '80', '1')) as { reply: string }[];
  assert.equal(r.reply, `${BACKENDS[0]}:8080`);
});

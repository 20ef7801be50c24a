/**
 * Seed labs on Services and DNS (seeds 000, 002, 004), walked with the real kubectl on a 3-node
 * cluster: `kubectl expose` as ClusterIP and NodePort, `describe svc` showing Endpoints, label
 * matching, curl through the ClusterIP from a pod and through the NodePort from the underlay, and
 * cluster DNS names from a pod through 10.96.0.10.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { upCluster, podNetns, inNetns, type E2ECluster } from './helpers.js';
import { applyYaml, podRows, waitRunning, jsonpath, nodeAddresses, type PodRow } from './lab-helpers.js';
import { waitFor } from '../../lib/testing/wait.js';
import { run } from '../../lib/testing/netns.js';

let c: E2ECluster;
let whoami: PodRow[];
before(async () => {
  c = await upCluster(3);
  await c.kubectl('create', 'deployment', 'whoami', '--image=traefik/whoami', '--replicas=3');
  whoami = await waitRunning(c, 'app=whoami', 3);
});
after(async () => { await c?.down(); });

/** Hostnames answering `url` over `tries` requests from inside pod namespace `ns`. */
async function hostnames(ns: string, url: string, tries: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const body = await inNetns(ns, 'curl', ['-s', '--max-time', '5', url]);
    const m = /Hostname: (\S+)/.exec(body);
    assert.ok(m, `whoami answered:\n${body}`);
    seen.add(m[1]);
  }
  return seen;
}

test('kubectl expose deploy whoami --port=80: a ClusterIP whose Endpoints are the pods, reachable from a pod (seed 004)', async () => {
  assert.match(await c.kubectl('expose', 'deploy', 'whoami', '--port=80'), /service\/whoami exposed/);
  const ip = await jsonpath(c, 'svc', 'whoami', '{.spec.clusterIP}');
  assert.match(ip, /^10\.(9[6-9]|1[01][0-9])\./, 'ClusterIP from 10.96.0.0/12');
  assert.match(await c.kubectl('get', 'svc', 'whoami', '--no-headers'), new RegExp(`^whoami\\s+ClusterIP\\s+${ip}\\s+<none>\\s+80/TCP`));
  const describe = await waitFor('describe svc lists the 3 endpoints', async () => {
    const d = await c.kubectl('describe', 'svc', 'whoami');
    return whoami.every((p) => d.includes(`${p.ip}:80`)) && d;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  assert.match(describe, /Selector:\s+app=whoami/);
  assert.match(describe, /Type:\s+ClusterIP/);
  assert.match(describe, /TargetPort:\s+80\/TCP/);
  const eps = await c.kubectl('describe', 'endpoints', 'whoami');
  for (const p of whoami) assert.ok(eps.includes(p.ip), `describe endpoints lists ${p.ip}:\n${eps}`);
  // A client pod curls the ClusterIP: kube-proxy spreads requests over the pods.
  await c.kubectl('run', 'client', '--image=busybox', '--', 'sleep', 'infinity');
  const [client] = await waitRunning(c, 'run=client', 1);
  const ns = await podNetns(c.name, client.ip);
  const seen = await hostnames(ns, `http://${ip}/`, 9);
  assert.ok([...seen].every((h) => whoami.some((p) => p.name === h)), `answers come from whoami pods: ${[...seen]}`);
  assert.ok(seen.size >= 2, `requests are spread over pods, saw ${[...seen]}`);
});

test('kubectl expose --type=NodePort: the port answers on every node address of the underlay (seed 004)', async () => {
  await c.kubectl('expose', 'deploy', 'whoami', '--type=NodePort', '--port', '80', '--name', 'whoami-np');
  const port = Number(await jsonpath(c, 'svc', 'whoami-np', '{.spec.ports[0].nodePort}'));
  assert.ok(port >= 30000 && port <= 32767, `nodePort ${port} in 30000-32767`);
  assert.match(await c.kubectl('describe', 'svc', 'whoami-np'), new RegExp(`NodePort:\\s+<unset>\\s+${port}/TCP`));
  // From the root namespace (the "outside" of the cluster) to each node's underlay address.
  for (const [node, addr] of await nodeAddresses(c)) {
    const body = await waitFor(`NodePort ${port} on ${node}`, () => run('curl', ['-s', '--max-time', '5', `http://${addr}:${port}/`]).catch(() => ''), { timeoutMs: 20_000, intervalMs: 500 });
    const host = /Hostname: (\S+)/.exec(body)?.[1];
    assert.ok(whoami.some((p) => p.name === host), `${node} ${addr}:${port} answered from a whoami pod: ${body}`);
  }
});

test('kubectl expose --type=LoadBalancer --external-ip: the external IP answers from inside the cluster (seed 004)', async () => {
  // 192.0.2.10 (TEST-NET-1) only ever exists as a local address inside the node namespaces.
  await c.kubectl('expose', 'deploy', 'whoami', '--type=LoadBalancer', '--port=80', '--external-ip', '192.0.2.10', '--name', 'whoami-lb');
  try {
    // EXTERNAL-IP lists ours (and the address the LoadBalancer controller may add from its pool).
    assert.match(await c.kubectl('get', 'svc', 'whoami-lb', '--no-headers'), /^whoami-lb\s+LoadBalancer\s+\S+\s+\S*192\.0\.2\.10\S*\s+80:\d+\/TCP/);
    const client = (await podRows(c, 'run=client'))[0];
    const ns = await podNetns(c.name, client.ip);
    const body = await waitFor('external IP answers', () => inNetns(ns, 'curl', ['-s', '--max-time', '5', 'http://192.0.2.10/']).catch(() => ''), { timeoutMs: 20_000, intervalMs: 500 });
    assert.ok(whoami.some((p) => body.includes(`Hostname: ${p.name}`)), `a whoami pod answers on the external IP: ${body}`);
  } finally {
    await c.kubectl('delete', 'svc', 'whoami-lb');
  }
});

test('the seed\'s hello-svc YAML with nodePort 30001 → targetPort 8080 reaches the pods (seed 004)', async () => {
  await applyYaml(c, 'hello.yaml', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello-deploy
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello-world
  template:
    metadata:
      labels:
        app: hello-world
    spec:
      containers:
      - name: hello-pod
        image: luksa/kubia
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: hello-svc
  labels:
    app: hello-world
spec:
  type: NodePort
  ports:
  - port: 8080
    nodePort: 30001
    targetPort: 8080
    protocol: TCP
  selector:
    app: hello-world
`);
  const pods = await waitRunning(c, 'app=hello-world', 2);
  const addr = [...(await nodeAddresses(c)).values()][0];
  const body = await waitFor('hello-svc on 30001', () => run('curl', ['-s', '--max-time', '5', `http://${addr}:30001/`]).catch(() => ''), { timeoutMs: 20_000, intervalMs: 500 });
  assert.ok(pods.some((p) => body.includes(p.name)), `kubia answers with its pod name: ${body}`);
  await c.kubectl('delete', 'deploy/hello-deploy', 'svc/hello-svc');
});

test('label matching: a Service selecting app=nginx,run=nginx skips a pod that has only app=nginx (seed 004)', async () => {
  await applyYaml(c, 'labels.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: only-app
  labels:
    app: nginx
spec:
  containers:
  - name: nginx
    image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: all-labels
  labels:
    app: nginx
    run: nginx
    ver: v1
    sta: running
spec:
  containers:
  - name: nginx
    image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  selector:
    app: nginx
    run: nginx
  ports:
  - port: 80
`);
  const pods = await waitRunning(c, 'app=nginx', 2);
  const all = pods.find((p) => p.name === 'all-labels')!;
  const addrs = await waitFor('endpoints of nginx', async () => {
    const a = await jsonpath(c, 'endpoints', 'nginx', '{.subsets[*].addresses[*].ip}').catch(() => '');
    return a && a;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  assert.deepEqual(addrs.split(/\s+/), [all.ip], 'only the pod with both labels is an endpoint');
  assert.equal((await c.kubectl('get', 'po', '-l', 'app=nginx,run=nginx', '-o', 'name')).trim(), 'pod/all-labels');
  await c.kubectl('delete', 'pod/only-app', 'pod/all-labels', 'svc/nginx', '--wait=false');
});

test('cluster DNS: resolv.conf points at 10.96.0.10, short and FQDN names resolve, cross-namespace needs the namespace (seed 004)', async () => {
  assert.match(await c.kubectl('get', 'svc', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '--no-headers'), /^kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP/);
  const resolv = await c.kubectl('exec', 'client', '--', 'cat', '/etc/resolv.conf');
  assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
  assert.match(resolv, /^nameserver 10\.96\.0\.10$/m);
  assert.match(resolv, /^options ndots:5$/m);
  const ip = await jsonpath(c, 'svc', 'whoami', '{.spec.clusterIP}');
  const client = (await podRows(c, 'run=client'))[0];
  const ns = await podNetns(c.name, client.ip);
  const dig = (name: string) => inNetns(ns, 'dig', ['+short', '+time=3', '+tries=2', '@10.96.0.10', name]).then((s) => s.trim(), async (err: Error) => {
    throw new Error(`${err.message}\n${await c.kubectl('get', 'pods,endpoints', '-n', 'kube-system', '-o', 'wide').catch((e: Error) => e.message)}`);
  });
  // A fresh pod on a fresh node: kube-proxy may still be programming the DNS service address.
  const first = await waitFor('whoami resolves from the pod', () => dig('whoami.default.svc.cluster.local').catch(() => ''), { timeoutMs: 30_000, intervalMs: 1000 }).catch(() => dig('whoami.default.svc.cluster.local'));
  assert.equal(first, ip);
  // The same name in another namespace: the short name keeps resolving to our own namespace.
  await c.kubectl('create', 'namespace', 'prod');
  await c.kubectl('create', 'deployment', 'whoami', '--image=traefik/whoami', '-n', 'prod');
  await c.kubectl('expose', 'deploy', 'whoami', '--port=80', '-n', 'prod');
  const prodIP = await jsonpath(c, 'svc', 'whoami', '{.spec.clusterIP}', 'prod');
  assert.equal(await waitFor('prod name resolves', async () => (await dig('whoami.prod.svc.cluster.local')) || false, { timeoutMs: 10_000 }), prodIP);
  // curl by name inside the pod uses the search path: short name = own namespace, FQDN = the other.
  const body = await c.kubectl('exec', 'client', '--', 'wget', '-qO-', 'http://whoami/');
  assert.ok(whoami.some((p) => body.includes(`Hostname: ${p.name}`)), `short name answers from default: ${body}`);
  const prodBody = await waitFor('whoami.prod answers', () => c.kubectl('exec', 'client', '--', 'wget', '-qO-', 'http://whoami.prod.svc.cluster.local/').catch(() => ''), { timeoutMs: 30_000, intervalMs: 1000 });
  assert.ok(!whoami.some((p) => prodBody.includes(`Hostname: ${p.name}`)), `FQDN answers from prod: ${prodBody}`);
  await c.kubectl('delete', 'namespace', 'prod', '--wait=false');
});

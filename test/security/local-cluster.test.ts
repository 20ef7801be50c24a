/**
 * A `kubesim up` cluster is secure: the admin kubeconfig speaks HTTPS with the CA and the admin's
 * client certificate; every component has its own identity with least privilege and logs no
 * 401/403 after bring-up; the `kubernetes` Service leads pods to the apiserver's secure port,
 * where an addon's ServiceAccount token gets what its RBAC grants and nothing more; a kubelet's
 * server refuses callers without the apiserver's client certificate; the gRPC port is TLS only;
 * etcd is TLS only and admits certificates of its own CA only (kubesim etcdctl has one).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { waitFor } from '../../lib/testing/wait.js';
import { certUser, createCA } from '../../lib/pki/pki.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { clientFor, resolveApiServer } from '../../lib/client/flags.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readState } from '../../cli/cluster/state.js';
import { clusterLayout } from '../../cli/cluster/layout.js';
import { etcdClientURLs, etcdPkiOf } from '../../cli/cluster/etcd.js';
import { DIST } from '../../cli/cluster/components.js';

const execFileP = promisify(execFile);
const CLI = join(DIST, 'cli', 'main.js');

let c: E2ECluster;
let dir: string;
before(async () => {
  c = await upCluster(1);
  dir = join(c.kubeconfig, '..');
});
after(async () => { await c?.down(); });

interface Kubeconfig { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] }
const kubeconfigOf = (file: string) => parseYaml(readFileSync(file, 'utf8')) as Kubeconfig;
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();

/** Every file below `d`. */
function filesBelow(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? filesBelow(join(d, f)) : [join(d, f)]));
}

test('components log no 401/403 after bring-up', () => {
  // Denials as our components log them: Status reasons, HTTP codes, gRPC codes.
  const denied = /\b(Unauthorized|Forbidden|forbidden|PERMISSION_DENIED|UNAUTHENTICATED|code[=:"]*(401|403))\b/;
  const logs = filesBelow(join(dir, 'logs')).filter((f) => !f.endsWith('apiserver.log') && !f.endsWith('etcd.log'));
  assert.ok(logs.some((f) => f.endsWith('kubelet.log')) && logs.some((f) => f.endsWith('scheduler.log')), `component logs found: ${logs.join(', ')}`);
  for (const f of logs) {
    const bad = readFileSync(f, 'utf8').split('\n').filter((l) => denied.test(l));
    assert.deepEqual(bad.slice(0, 5), [], `${f} has ${bad.length} denied line(s)`);
  }
});

test('the admin kubeconfig is HTTPS with the cluster CA and the admin client certificate; kubectl auth whoami', async () => {
  const kc = kubeconfigOf(c.kubeconfig);
  assert.match(kc.clusters[0].cluster.server, /^https:\/\/10\.200\.\d+\.1:\d+$/);
  assert.match(unb64(kc.clusters[0].cluster['certificate-authority-data']), /BEGIN CERTIFICATE/);
  assert.deepEqual(certUser(unb64(kc.users[0].user['client-certificate-data'])), { username: 'kubernetes-admin', groups: ['system:masters'] });
  assert.equal(statSync(c.kubeconfig).mode & 0o777, 0o600);
  assert.match(await c.kubectl('auth', 'whoami'), /Username\s+kubernetes-admin\n\s*Groups\s+\[system:masters system:authenticated\]/);
  // The plain port is not on the bridge address any more.
  const plain = await fetch(`http://${new URL(kc.clusters[0].cluster.server).hostname}:${8080 + (Number(new URL(kc.clusters[0].cluster.server).port) - 6443)}/api`).then(() => 'open', () => 'closed');
  assert.equal(plain, 'closed');
});

test('each component has its own identity and least privilege', async () => {
  const kc = (id: string) => join(dir, 'kubeconfigs', `${id}.kubeconfig`);
  const as = (id: string, ...args: string[]) => c.kubectl('--kubeconfig', kc(id), ...args);
  const canI = async (id: string, ...args: string[]) => (await c.kubectlStatus('--kubeconfig', kc(id), 'auth', 'can-i', ...args)).stdout.trim();
  for (const [id, user] of [['kube-scheduler', 'system:kube-scheduler'], ['kube-controller-manager', 'system:kube-controller-manager'], ['kube-proxy', 'system:kube-proxy'], ['kubelet-node-1', 'system:node:node-1']]) {
    assert.match(await as(id, 'auth', 'whoami'), new RegExp(`Username\\s+${user}\\n`), id);
  }
  assert.equal(await canI('kube-scheduler', 'create', 'pods', '--subresource=binding'), 'yes');
  assert.match(await canI('kube-scheduler', 'delete', 'nodes'), /^no/);
  assert.match(await canI('kube-proxy', 'create', 'pods'), /^no/);
  assert.equal(await canI('kube-proxy', 'watch', 'endpointslices.discovery.k8s.io'), 'yes');
  assert.match(await canI('kubelet-node-1', 'list', 'secrets', '-A'), /^no/);
  assert.match(await as('kubelet-node-1', 'get', 'node', 'node-1', '-o', 'name'), /^node\/node-1$/m);
  // --use-service-account-credentials: the controller manager itself only lists/watches and mints
  // its controllers' tokens; each controller acts as its ServiceAccount with its own role.
  assert.match(await canI('kube-controller-manager', 'delete', 'pods', '-A'), /^no/);
  assert.equal(await canI('kube-controller-manager', 'watch', 'pods', '-A'), 'yes');
  assert.equal(await canI('kube-controller-manager', 'create', 'serviceaccounts', '--subresource=token', '-n', 'kube-system'), 'yes');
  assert.match(await canI('kube-controller-manager', 'create', 'serviceaccounts', '--subresource=token', '-n', 'default'), /^no/);
  const asController = (sa: string, ...args: string[]) => c.kubectlStatus('auth', 'can-i', ...args, `--as=system:serviceaccount:kube-system:${sa}`).then((r) => r.stdout.trim());
  assert.equal(await asController('replicaset-controller', 'create', 'pods', '-n', 'default'), 'yes');
  assert.match(await asController('job-controller', 'delete', 'nodes'), /^no/);
  assert.match(await c.kubectl('get', 'serviceaccounts', '-n', 'kube-system', '-o', 'name'), /serviceaccount\/deployment-controller\n/);
  // The processes really run with those kubeconfigs (not the admin's).
  const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { processes: { component: string; args: string[] }[] };
  const argsOf = (comp: string) => state.processes.find((p) => p.component === comp)!.args.join(' ');
  assert.match(argsOf('scheduler'), /--kubeconfig \S+kube-scheduler\.kubeconfig/);
  assert.match(argsOf('controller-manager'), /--kubeconfig \S+kube-controller-manager\.kubeconfig/);
  assert.match(argsOf('controller-manager'), /--use-service-account-credentials/);
  assert.match(argsOf('kubelet'), /--kubeconfig \S+kubelet-node-1\.kubeconfig/);
  assert.match(argsOf('kube-proxy'), /--kubeconfig \S+kube-proxy\.kubeconfig/);
  assert.match(argsOf('apiserver'), /--authorization-mode Node,RBAC/);
});

test('the gRPC port speaks TLS only: components connect with the CA and their client certificate, plaintext and a wrong CA fail', async () => {
  const admin = resolveApiServer({ kubeconfig: c.kubeconfig });
  assert.ok(admin.tls?.ca && admin.tls.cert, 'the admin kubeconfig gives the gRPC client a CA and a client certificate');
  const ok = clientFor({ target: admin.target, tls: admin.tls });
  const plain = ApiClient.connect(admin.target, { timeoutMs: 5000, metadata: { authorization: `Bearer ${admin.token}` } });
  const wrongCA = ApiClient.connect(admin.target, { timeoutMs: 5000, tls: { ca: createCA('other').cert, cert: admin.tls!.cert, key: admin.tls!.key } });
  try {
    // No token given: the client certificate alone is the identity.
    assert.ok((await ok.list({ resource: 'nodes' })).items.some((n) => n.metadata?.name === 'node-1'));
    await assert.rejects(plain.list({ resource: 'nodes' }), (e: Error & { code?: string }) => e.code === 'Unavailable');
    await assert.rejects(wrongCA.list({ resource: 'nodes' }), (e: Error & { code?: string }) => e.code === 'Unavailable');
  } finally {
    for (const cl of [ok, plain, wrongCA]) cl.close();
  }
  assert.match(readFileSync(join(dir, 'logs', 'apiserver.log'), 'utf8'), /apiserver listening.*grpc="[\d.]+:\d+ \(TLS\)"/);
});

test('etcd speaks TLS and admits clients with a certificate of its own CA only; kubesim etcdctl passes them', async () => {
  const state = readState(c.name)!;
  const layout = clusterLayout(c.name, state.index);
  const https = etcdClientURLs(layout, 1, 'loopback')[0];
  assert.match(https, /^https:\/\/127\.0\.0\.1:\d+$/);
  const f = etcdPkiOf(layout);
  const etcdctl = (...args: string[]) => execFileP('etcdctl', ['--dial-timeout=3s', '--command-timeout=5s', ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 30_000 })
    .then((r) => ({ ok: true, out: r.stdout + r.stderr }), (e: Error & { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? e.message}` }));
  const get = ['get', '/registry/namespaces/default', '--keys-only'];
  // kubesim etcdctl: etcd's CA and the healthcheck client certificate.
  const { stdout } = await execFileP(process.execPath, [CLI, 'etcdctl', '--name', c.name, '--', ...get], { timeout: 30_000 });
  assert.match(stdout, /^\/registry\/namespaces\/default$/m);
  // Refused: plain http, https without a client certificate, a certificate of the cluster CA (not etcd's).
  const plain = await etcdctl('--endpoints', https.replace('https:', 'http:'), ...get);
  assert.equal(plain.ok, false, plain.out);
  const noCert = await etcdctl('--endpoints', https, '--cacert', f.ca, ...get);
  assert.equal(noCert.ok, false, noCert.out);
  assert.match(noCert.out, /certificate|handshake|tls|deadline/i);
  const pki = join(dir, 'pki');
  const clusterCA = await etcdctl('--endpoints', https, '--cacert', f.ca, '--cert', join(pki, 'admin.crt'), '--key', join(pki, 'admin.key'), ...get);
  assert.equal(clusterCA.ok, false, clusterCA.out);
  const right = await etcdctl('--endpoints', https, '--cacert', f.ca, '--cert', f.healthcheckClient.cert, '--key', f.healthcheckClient.key, ...get);
  assert.equal(right.ok, true, right.out);
  // The apiserver and flanneld are given their own etcd client certificates; peers use TLS too.
  const argsOf = (comp: string) => state.processes.find((p) => p.component === comp)!.args.join(' ');
  assert.match(argsOf('apiserver'), /--etcd-servers https:\/\/\S+ --etcd-cafile \S+\/etcd\/ca\.crt --etcd-certfile \S+\/apiserver-etcd-client\.crt --etcd-keyfile \S+/);
  assert.match(argsOf('flanneld'), /--etcd-endpoints https:\/\/\S+ --etcd-cafile \S+ --etcd-certfile \S+\/flanneld-etcd-client\.crt/);
  assert.match(argsOf('etcd'), /--client-cert-auth --trusted-ca-file \S+\/etcd\/ca\.crt --peer-cert-file .* --peer-client-cert-auth/);
});

test('the kubernetes Service leads a pod to the secure port; its ServiceAccount token gets what RBAC grants', async () => {
  const kc = kubeconfigOf(c.kubeconfig);
  const server = new URL(kc.clusters[0].cluster.server);
  const svc = JSON.parse(await c.kubectl('get', 'service', 'kubernetes', '-n', 'default', '-o', 'json'));
  assert.equal(svc.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(svc.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]), [[443, Number(server.port)]]);
  const ep = JSON.parse(await c.kubectl('get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'json'));
  assert.deepEqual([ep.subsets[0].addresses[0].ip, ep.subsets[0].ports[0].port], [server.hostname, Number(server.port)]);
  // From inside a DNS pod (ServiceAccount coredns: may list services, not secrets), through kube-proxy.
  const pod = (await c.kubectl('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
  const script = (path: string) => "const d='/var/run/secrets/kubernetes.io/serviceaccount/',f=require('fs');" +
    `require('https').get({host:'10.96.0.1',port:443,path:'${path}',ca:f.readFileSync(d+'ca.crt'),headers:{authorization:'Bearer '+f.readFileSync(d+'token','utf8')}},` +
    "(r)=>{let b='';r.on('data',(x)=>b+=x).on('end',()=>console.log(r.statusCode,JSON.parse(b).kind))}).on('error',(e)=>console.log('error',e.message))";
  const ask = (path: string) => c.kubectl('exec', '-n', 'kube-system', pod, '--', 'node', '-e', script(path));
  // kube-proxy programs 10.96.0.1 shortly after the Service appears: retry until it answers.
  assert.equal((await waitFor('API through 10.96.0.1', async () => { const r = (await ask('/api/v1/namespaces/kube-system/services')).trim(); return r.startsWith('error') ? undefined : r; }, { timeoutMs: 30_000, intervalMs: 1000 })), '200 ServiceList');
  assert.equal((await ask('/api/v1/namespaces/kube-system/secrets')).trim(), '403 Status');
});

test('a kubelet refuses callers without the apiserver client certificate; kubectl logs goes through', async () => {
  const node = JSON.parse(await c.kubectl('get', 'node', 'node-1', '-o', 'json'));
  const host = node.status.addresses.find((a: { type: string }) => a.type === 'InternalIP').address as string;
  const port = node.status.daemonEndpoints.kubeletEndpoint.Port as number;
  const kc = kubeconfigOf(c.kubeconfig);
  const ca = unb64(kc.clusters[0].cluster['certificate-authority-data']);
  const ask = (cert?: { cert: string; key: string }) => new Promise<string>((resolve) => {
    httpsRequest({ host, port, path: '/pods', ca, servername: 'node-1', ...(cert ?? {}), timeout: 5000 }, (res) => { res.resume(); resolve(String(res.statusCode)); })
      .on('error', (err) => resolve(`refused: ${err.message}`)).end();
  });
  assert.match(await ask(), /^refused/);
  // The admin's certificate is from the cluster CA but is not the apiserver's: forbidden.
  assert.equal(await ask({ cert: unb64(kc.users[0].user['client-certificate-data']), key: unb64(kc.users[0].user['client-key-data']) }), '403');
  const plain = await new Promise<string>((resolve) => {
    httpRequest({ host, port, path: '/pods', timeout: 5000 }, (res) => { res.resume(); resolve(String(res.statusCode)); }).on('error', (err) => resolve(`refused: ${err.message}`)).end();
  });
  assert.ok(!/^2/.test(plain), `plain HTTP to the kubelet answered ${plain}`);
  const pod = (await c.kubectl('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
  assert.match(await c.kubectl('logs', '-n', 'kube-system', pod), /serving DNS/);
});

test("a pod's ServiceAccount token, through @kubernetes/client-node's in-cluster config, lists pods only in the namespace where it is bound to view", async (t) => {
  const ns = `ksimt-${randomBytes(3).toString('hex')}`;
  await c.kubectl('create', 'namespace', ns);
  t.after(() => c.kubectl('delete', 'namespace', ns, '--wait=false').catch(() => undefined));
  await c.kubectl('create', 'serviceaccount', 'reader', '-n', ns);
  await c.kubectl('create', 'rolebinding', 'reader-view', '--clusterrole=view', `--serviceaccount=${ns}:reader`, '-n', ns);
  // kubesim/kube-dns runs with the kubesim installation at /.kubesim/app (its node_modules included).
  const script = "import('/.kubesim/app/node_modules/@kubernetes/client-node/dist/index.js').then(async (k8s) => {" +
    'const kc = new k8s.KubeConfig(); kc.loadFromCluster(); const api = kc.makeApiClient(k8s.CoreV1Api);' +
    `const own = await api.listNamespacedPod({ namespace: '${ns}' }); console.log('own ' + own.items.map((p) => p.metadata.name).join(','));` +
    "try { await api.listNamespacedPod({ namespace: 'kube-system' }); console.log('kube-system allowed'); } catch (e) { console.log('kube-system ' + e.code); }" +
    "}).catch((e) => { console.log('error ' + e.message); process.exit(1); })";
  await c.kubectl('run', 'client', '-n', ns, '--image=kubesim/kube-dns', '--restart=Never', '--overrides={"spec":{"serviceAccountName":"reader"}}', '--command', '--', 'node', '-e', script);
  const logs = await waitFor('client pod finished', async () => {
    const phase = (await c.kubectl('get', 'pod', 'client', '-n', ns, '-o', 'jsonpath={.status.phase}')).trim();
    return (phase === 'Succeeded' || phase === 'Failed') && await c.kubectl('logs', 'client', '-n', ns);
  }, { timeoutMs: 120_000, intervalMs: 1000 });
  assert.equal(logs.trim(), 'own client\nkube-system 403');
  const pod = JSON.parse(await c.kubectl('get', 'pod', 'client', '-n', ns, '-o', 'json'));
  assert.ok(pod.spec.volumes.some((v: { name: string }) => v.name.startsWith('kube-api-access-')), 'ServiceAccount admission mounted the bound token');
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from './runtime/run.js';
import type { Pod } from '../lib/api/types.js';
import { startControlPlane, type TestControlPlane } from '../lib/testing/control-plane.js';
import { waitFor } from '../lib/testing/wait.js';
import { Kubelet } from './kubelet.js';
import { createLogger } from './runtime/log.js';
import { startRuntimeHarness, httpGet, type RuntimeHarness } from './testing/runtime-harness.js';
import { join } from 'node:path';
import { wsExec } from './testing/ws-exec-client.js';

let cp: TestControlPlane;
let h: RuntimeHarness;
let ac = new AbortController();
let running: Promise<void>;
let kubeletRef: Kubelet;
const NODE = 'ksimt-node-1';

/** Starts (or restarts) the kubelet under test. */
function startKubelet(): void {
  const kubelet = new Kubelet({
    client: cp.client, criEndpoint: `unix://${join(h.dir, 'cri.sock')}`, rootDir: join(h.dir, 'kubelet'), logRoot: join(h.dir, 'pod-logs'),
    node: { name: NODE, ip: '10.200.0.99' }, cluster: { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', nodeResolvConf: 'nameserver 192.0.2.53\n' },
    log: createLogger('kubelet', !process.env.KSIM_LOGS), relistMs: 300, heartbeatMs: 2000, serverHost: '127.0.0.1', serverPort: 0, nfsRoot: join(h.dir, 'nfs'),
  });
  kubeletRef = kubelet;
  ac = new AbortController();
  running = kubelet.run(ac.signal);
}

before(async () => {
  cp = await startControlPlane();
  h = await startRuntimeHarness(34);
  startKubelet();
});

after(async () => {
  ac.abort();
  await running?.catch(() => undefined);
  await h?.cleanup().catch(() => undefined);
  await cp?.stop();
});

const getPod = (name: string) => cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name });

/** The real kubectl against the test apiserver's REST facade. */
async function kubectl(args: string[]): Promise<string> {
  const cfg = join(h.dir, 'kubeconfig');
  writeFileSync(cfg, `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: '${cp.restURL}'}}]\ncontexts: [{name: t, context: {cluster: t, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: t\n`);
  const r = await run('kubectl', ['--kubeconfig', cfg, ...args], { env: { ...process.env, HOME: h.dir, KUBECTL_KUBERC: 'false' }, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('the kubelet registers its node with a Ready condition and capacity', async () => {
  const node = await waitFor('node registered with status', async () => {
    const n = await cp.client.get({ resource: 'nodes', name: NODE }).catch(() => undefined) as { status?: { conditions?: unknown[] } } | undefined;
    return n?.status?.conditions && n;
  });
  const st = (node as { status: { conditions: Array<{ type: string; status: string }>; capacity: Record<string, string>; addresses: Array<{ address: string }> } }).status;
  assert.equal(st.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  assert.ok(Number(st.capacity.cpu) >= 1);
  assert.equal(st.addresses[0].address, '10.200.0.99');
  // The port the server really listens on (port 0 here), not a constant 10250.
  assert.equal((node as { status: { daemonEndpoints: { kubeletEndpoint: { Port: number } } } }).status.daemonEndpoints.kubeletEndpoint.Port, kubeletRef.serverPort);
  assert.ok(kubeletRef.serverPort > 0);
  const lease = await waitFor('node lease', () => cp.client.get<{ spec?: { holderIdentity?: string; leaseDurationSeconds?: number } }>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: NODE }).catch(() => undefined));
  assert.equal(lease.spec?.holderIdentity, NODE);
  assert.equal(lease.spec?.leaseDurationSeconds, 40);
});

test('a pod bound to the node runs: IP, Ready after its exec readiness probe, env from a ConfigMap, DNS, served over the pod network; deletion cleans up', async () => {
  await cp.client.create({ resource: 'configmaps', namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-cfg' }, data: { GREETING: 'hello', 'index.html': 'from configmap\n' } });
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
    spec: {
      nodeName: NODE,
      containers: [{
        name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }],
        env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'web-cfg', key: 'GREETING' } } }],
        volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }],
        readinessProbe: { exec: { command: ['sh', '-c', 'test -e /usr/share/nginx/html/index.html'] }, periodSeconds: 1 },
      }],
      volumes: [{ name: 'html', configMap: { name: 'web-cfg', items: [{ key: 'index.html', path: 'index.html' }] } }],
    },
  } as Pod);
  const pod = await waitFor('pod Running and Ready', async () => {
    const p = await getPod('web');
    return p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
  }, { timeoutMs: 30_000 });
  const ip = pod.status!.podIP!;
  assert.ok(ip.startsWith(h.subnetPrefix), ip);
  assert.equal(pod.status!.containerStatuses![0].ready, true);
  assert.match(pod.status!.containerStatuses![0].containerID!, /^kubesim:\/\//);
  const res = await waitFor('nginx serves the configmap page', () => httpGet(h.node, `http://${ip}/`).catch(() => undefined), { timeoutMs: 10_000 });
  assert.equal(res.body, 'from configmap\n');
  const cid = pod.status!.containerStatuses![0].containerID!.replace('kubesim://', '');
  const ex = await h.cri.call('ExecSync', { container_id: cid, cmd: ['sh', '-c', 'echo $GREETING; cat /etc/resolv.conf'] });
  assert.match(ex.stdout.toString(), /^hello$/m);
  assert.match(ex.stdout.toString(), /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);

  // A ConfigMap update reaches the mounted file (not the env).
  const cm = await cp.client.get({ resource: 'configmaps', namespace: 'default', name: 'web-cfg' }) as { data: Record<string, string> };
  cm.data['index.html'] = 'updated\n';
  await cp.client.update({ resource: 'configmaps', namespace: 'default' }, cm as never);
  await waitFor('volume follows the update', async () => (await httpGet(h.node, `http://${ip}/`).catch(() => ({ body: '' }))).body === 'updated\n', { timeoutMs: 15_000 });

  const events = await cp.client.list({ resource: 'events', namespace: 'default' });
  const started = events.items.find((e) => (e as { reason?: string }).reason === 'Started') as { involvedObject?: { kind?: string; name?: string; fieldPath?: string }; source?: { component?: string; host?: string } } | undefined;
  assert.deepEqual([started?.involvedObject?.kind, started?.involvedObject?.name, started?.involvedObject?.fieldPath, started?.source], ['Pod', 'web', 'spec.containers{nginx}', { component: 'kubelet', host: NODE }]);

  assert.match(await kubectl(['get', 'pod', 'web', '-o', 'wide']), new RegExp(`^web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${ip.replace(/\./g, '\\.')}\\s+${NODE}`, 'm'));
  const summary = await (await fetch(`http://127.0.0.1:${kubeletRef.serverPort}/stats/summary`)).json() as { pods: Array<{ podRef: { name: string }; containers: Array<{ memory: { workingSetBytes: number } }> }> };
  assert.ok(summary.pods.find((p) => p.podRef.name === 'web')!.containers[0].memory.workingSetBytes > 0);
  const nginxLog = await (await fetch(`http://127.0.0.1:${kubeletRef.serverPort}/containerLogs/default/web/nginx`)).text();
  assert.match(nginxLog, /"GET \/ HTTP\/1\.1" 200/);
  const q = ['sh', '-c', 'read x; echo got $x; echo oops >&2; exit 3'].map((c) => `command=${encodeURIComponent(c)}`).join('&');
  const ws = await wsExec(kubeletRef.serverPort, `/exec/default/web/nginx?${q}&stdin=true&stdout=true&stderr=true`, 'hi\n');
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  assert.equal(ws.stdout, 'got hi\n');
  assert.equal(ws.stderr, 'oops\n');
  assert.equal((ws.status as { reason?: string }).reason, 'NonZeroExitCode');
  const ok = await wsExec(kubeletRef.serverPort, `/exec/default/web/nginx?command=hostname&stdout=true`, undefined, 'v4.channel.k8s.io');
  assert.deepEqual([ok.stdout, ok.status?.status], ['web\n', 'Success']);
  await assert.rejects(wsExec(kubeletRef.serverPort, `/exec/default/nosuch/c?command=true`), /404/);
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'web' });
  await waitFor('pod gone from the API', async () => (await getPod('web').catch(() => undefined)) === undefined, { timeoutMs: 30_000 });
  assert.equal((await h.cri.call('ListPodSandbox', {})).items.length, 0);
});

test('a crashing container is restarted with back-off (restartCount, CrashLoopBackOff, lastState); a Never pod ends Failed', async () => {
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crash' },
    spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo try; exit 2'] }] },
  } as Pod);
  const p = await waitFor('CrashLoopBackOff', async () => {
    const x = await getPod('crash');
    const s = x.status?.containerStatuses?.[0];
    return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s.restartCount! >= 1 && x;
  }, { timeoutMs: 30_000 });
  assert.equal(p.status!.containerStatuses![0].lastState!.terminated!.exitCode, 2);
  assert.equal(p.status!.phase, 'Running');

  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'once' },
    spec: { nodeName: NODE, restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo done; exit 1'] }] },
  } as Pod);
  const once = await waitFor('Failed', async () => { const x = await getPod('once'); return x.status?.phase === 'Failed' && x; }, { timeoutMs: 30_000 });
  const t = once.status!.containerStatuses![0].state!.terminated!;
  assert.equal(t.exitCode, 1);
  assert.equal(t.reason, 'Error');
  const logDir = join(h.dir, 'pod-logs', `default_once_${once.metadata!.uid}`, 'c', '0.log');
  assert.match(readFileSync(logDir, 'utf8'), / stdout F done$/m);

  // What users see: the real kubectl's table shows the kubelet's statuses.
  const table = await kubectl(['get', 'pods', 'crash', 'once', '-n', 'default']);
  assert.match(table, /^crash\s+0\/1\s+CrashLoopBackOff\s+\d+/m);
  assert.match(table, /^once\s+0\/1\s+Error\s+0\s/m);
  const logs = await fetch(`http://127.0.0.1:${kubeletRef.serverPort}/containerLogs/default/once/c?timestamps=true`);
  assert.equal(logs.status, 200);
  assert.match(await logs.text(), /^\d{4}-\d\d-\d\dT[\d:.]+Z done\n$/);
  const prev = await (await fetch(`http://127.0.0.1:${kubeletRef.serverPort}/containerLogs/default/crash/c?previous=true`)).text();
  assert.equal(prev, 'try\n');
  assert.equal((await fetch(`http://127.0.0.1:${kubeletRef.serverPort}/containerLogs/default/nosuch/c`)).status, 404);
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'crash' }, { gracePeriodSeconds: 0 });
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'once' }, { gracePeriodSeconds: 0 });
  await waitFor('sandboxes removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 20_000 });
});

test('lifecycle hooks: postStart runs after the start, preStop runs before the stop (writing into a hostPath volume)', async () => {
  const shared = join(h.dir, 'hooks');
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hooks' },
    spec: {
      nodeName: NODE, terminationGracePeriodSeconds: 5,
      volumes: [{ name: 'shared', hostPath: { path: shared, type: 'DirectoryOrCreate' } }],
      containers: [{
        name: 'c', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
        lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo started > /shared/post'] } }, preStop: { exec: { command: ['sh', '-c', 'echo bye > /shared/pre'] } } },
      }],
    },
  } as Pod);
  await waitFor('postStart wrote its file', () => { try { return readFileSync(join(shared, 'post'), 'utf8') === 'started\n'; } catch { return false; } }, { timeoutMs: 20_000 })
    .catch(async (err) => { throw new Error(`${err.message}; pod status: ${JSON.stringify((await getPod('hooks')).status)}`); });
  await waitFor('Running', async () => (await getPod('hooks')).status?.phase === 'Running', { timeoutMs: 10_000 });
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'hooks' });
  await waitFor('pod gone', async () => (await getPod('hooks').catch(() => undefined)) === undefined, { timeoutMs: 20_000 });
  assert.equal(readFileSync(join(shared, 'pre'), 'utf8'), 'bye\n');
});

test('seed 004 ConfigMap lab: env from configMapKeyRef, $(VAR) in the command, configMap volume files', async () => {
  await cp.client.create({ resource: 'configmaps', namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'multimap' }, data: { given: 'Nigel', family: 'Poulton' } });
  const env = [{ name: 'FIRSTNAME', valueFrom: { configMapKeyRef: { name: 'multimap', key: 'given' } } }, { name: 'LASTNAME', valueFrom: { configMapKeyRef: { name: 'multimap', key: 'family' } } }];
  const pods: Pod[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'envpod', labels: { chapter: 'configmaps' } }, spec: { nodeName: NODE, containers: [{ name: 'ctr1', image: 'busybox', command: ['sleep'], args: ['infinity'], env }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'startup-pod' }, spec: { nodeName: NODE, restartPolicy: 'OnFailure', containers: [{ name: 'args1', image: 'busybox', command: ['/bin/sh', '-c', 'echo First name $(FIRSTNAME) last name $(LASTNAME)', 'wait'], env }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cmvol' }, spec: { nodeName: NODE, volumes: [{ name: 'volmap', configMap: { name: 'multimap' } }], containers: [{ name: 'ctr', image: 'nginx', volumeMounts: [{ name: 'volmap', mountPath: '/etc/name' }] }] } },
  ] as Pod[];
  for (const p of pods) await cp.client.create({ resource: 'pods', namespace: 'default' }, p);
  await waitFor('envpod and cmvol Running, startup-pod Succeeded', async () => {
    const phases = await Promise.all(['envpod', 'cmvol', 'startup-pod'].map(async (n) => (await getPod(n)).status?.phase));
    return phases.join() === 'Running,Running,Succeeded';
  }, { timeoutMs: 30_000 });
  const envOut = await wsExec(kubeletRef.serverPort, '/exec/default/envpod/ctr1?command=env&stdout=true');
  assert.deepEqual(envOut.stdout.split('\n').filter((l) => l.includes('NAME')).sort(), ['FIRSTNAME=Nigel', 'HOSTNAME=envpod', 'LASTNAME=Poulton']);
  assert.equal(await (await fetch(`http://127.0.0.1:${kubeletRef.serverPort}/containerLogs/default/startup-pod/args1`)).text(), 'First name Nigel last name Poulton\n');
  const ls = await wsExec(kubeletRef.serverPort, `/exec/default/cmvol/ctr?command=ls&command=${encodeURIComponent('/etc/name')}&stdout=true`);
  assert.equal(ls.stdout, 'family\ngiven\n');
  for (const p of pods) await cp.client.delete({ resource: 'pods', namespace: 'default', name: p.metadata!.name! }, { gracePeriodSeconds: 0 });
  await waitFor('sandboxes removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 20_000 });
});

test('a failing liveness probe restarts the container (luksa/kubia-unhealthy: 500 after five requests)', async () => {
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kubia-liveness' },
    spec: {
      nodeName: NODE,
      containers: [{ name: 'kubia', image: 'luksa/kubia-unhealthy', ports: [{ containerPort: 8080 }], livenessProbe: { exec: { command: ['node', '-e', "require('http').get('http://127.0.0.1:8080/',(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"] }, periodSeconds: 1, failureThreshold: 2 } }],
    },
  } as Pod);
  const p = await waitFor('restarted by the liveness probe', async () => {
    const x = await getPod('kubia-liveness');
    return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x;
  }, { timeoutMs: 40_000 });
  assert.equal(p.status!.containerStatuses![0].lastState!.terminated!.exitCode, 143);
  const events = await cp.client.list({ resource: 'events', namespace: 'default' });
  assert.ok(events.items.some((e) => /failed liveness probe, will be restarted/.test((e as { message?: string }).message ?? '')));
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'kubia-liveness' }, { gracePeriodSeconds: 0 });
  await waitFor('sandbox removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 20_000 });
});

test('init containers run first, in order; they share emptyDir and nfs volumes with the app container', async () => {
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'init' },
    spec: {
      nodeName: NODE, restartPolicy: 'Never',
      volumes: [{ name: 'work', emptyDir: {} }, { name: 'share', nfs: { server: 'nfs.example', path: '/exports/a' } }],
      initContainers: [
        { name: 'one', image: 'busybox', command: ['sh', '-c', 'echo one > /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        { name: 'two', image: 'busybox', command: ['sh', '-c', 'echo two >> /work/order; echo shared > /nfs/file'], volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'share', mountPath: '/nfs' }] },
      ],
      containers: [{ name: 'app', image: 'busybox', command: ['cat', '/work/order', '/nfs/file'], volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'share', mountPath: '/nfs' }] }],
    },
  } as Pod);
  const p = await waitFor('Succeeded', async () => { const x = await getPod('init'); return x.status?.phase === 'Succeeded' && x; }, { timeoutMs: 30_000 });
  assert.deepEqual(p.status!.initContainerStatuses!.map((s) => s.state?.terminated?.exitCode), [0, 0]);
  const log = readFileSync(join(h.dir, 'pod-logs', `default_init_${p.metadata!.uid}`, 'app', '0.log'), 'utf8');
  assert.deepEqual(log.trim().split('\n').map((l) => l.split(' F ')[1]), ['one', 'two', 'shared']);
  assert.equal(readFileSync(join(h.dir, 'nfs', 'nfs.example', 'exports', 'a', 'file'), 'utf8'), 'shared\n');
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'init' }, { gracePeriodSeconds: 0 });
  await waitFor('sandbox removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 20_000 });
});

test('an unknown image gives ErrImagePull / ImagePullBackOff', async () => {
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nopull' },
    spec: { nodeName: NODE, containers: [{ name: 'c', image: 'example.com/no/such:9' }] },
  } as Pod);
  const reason = await waitFor('image pull error', async () => {
    const r = (await getPod('nopull')).status?.containerStatuses?.[0]?.state?.waiting?.reason;
    return (r === 'ErrImagePull' || r === 'ImagePullBackOff') && r;
  }, { timeoutMs: 20_000 });
  assert.ok(reason);
  assert.equal((await getPod('nopull')).status!.phase, 'Pending');
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'nopull' }, { gracePeriodSeconds: 0 });
  await waitFor('sandbox removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 20_000 });
});

test('restartCount survives a recreated sandbox: the API count carries on when the old containers are gone', async () => {
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'phoenix' },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
  } as Pod);
  const statusOf = async () => (await getPod('phoenix')).status?.containerStatuses?.[0];
  const first = await waitFor('running', async () => { const s = await statusOf(); return s?.state?.running && s; }, { timeoutMs: 20_000 });
  const cid1 = first.containerID!.replace('kubesim://', '');
  process.kill(h.rt.containers.get(cid1).pid!, 'SIGKILL');
  const second = await waitFor('restarted once', async () => { const s = await statusOf(); return s?.state?.running && s.restartCount === 1 && s; }, { timeoutMs: 30_000 });
  // The sandbox dies (its pause process): the kubelet makes a new one and starts the container again.
  const sandbox = (await h.cri.call('ListPodSandbox', {})).items.find((x: { labels: Record<string, string> }) => x.labels['io.kubernetes.pod.name'] === 'phoenix');
  process.kill(h.rt.sandboxes.get(sandbox.id).pausePid, 'SIGKILL');
  const third = await waitFor('running in a new sandbox', async () => { const s = await statusOf(); return s?.state?.running && s.containerID !== second.containerID && s; }, { timeoutMs: 40_000 });
  assert.equal(third.restartCount, 2);
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'phoenix' }, { gracePeriodSeconds: 0 });
  await waitFor('sandbox removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 20_000 });
});

test('a restarted kubelet adopts running pods: same container, no restart, and it keeps syncing them', async () => {
  await cp.client.create({ resource: 'configmaps', namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'survivor-cfg' }, data: { v: 'one' } });
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'survivor' },
    spec: { nodeName: NODE, volumes: [{ name: 'c', configMap: { name: 'survivor-cfg' } }], containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'c', mountPath: '/cfg' }] }] },
  } as Pod);
  const before = await waitFor('Running', async () => { const p = await getPod('survivor'); return p.status?.phase === 'Running' && p; }, { timeoutMs: 20_000 });
  const cid = before.status!.containerStatuses![0].containerID!;
  ac.abort();
  await running;
  startKubelet();
  // A ConfigMap change reaching the running container proves the new kubelet synced the pod.
  const cm = await cp.client.get({ resource: 'configmaps', namespace: 'default', name: 'survivor-cfg' }) as { data: Record<string, string> };
  cm.data.v = 'two';
  await cp.client.update({ resource: 'configmaps', namespace: 'default' }, cm as never);
  const id = cid.replace('kubesim://', '');
  await waitFor('new kubelet syncs the pod', async () => (await h.cri.call('ExecSync', { container_id: id, cmd: ['cat', '/cfg/v'] })).stdout.toString() === 'two', { timeoutMs: 20_000 });
  const after = await getPod('survivor');
  assert.equal(after.status!.containerStatuses![0].containerID, cid);
  assert.equal(after.status!.containerStatuses![0].restartCount, 0);
  assert.equal((await h.cri.call('ListContainers', {})).containers.length, 1);
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'survivor' }, { gracePeriodSeconds: 0 });
  await waitFor('sandbox removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 20_000 });
});

test('the kubelet process takes the flags kubesim up passes, registers its node and exits 0 on SIGTERM', async (t) => {
  const subnet = join(h.dir, 'kubelet-subnet.env');
  writeFileSync(subnet, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.77.1/24\nFLANNEL_MTU=1450\n');
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url)),
    '--master', cp.restURL, '--grpc-server', cp.grpcTarget, '--node-name', 'ksimt-node-2', '--node-ip', '10.200.0.98',
    '--container-runtime-endpoint', `unix://${join(h.dir, 'cri.sock')}`, '--root-dir', join(h.dir, 'kubelet2'), '--pod-log-root', join(h.dir, 'logs2'),
    '--cluster-dns', '10.96.0.10', '--cluster-domain', 'cluster.local', '--flannel-subnet-file', subnet, '--address', '127.0.0.1', '--port', '0', '--v=2'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  const node = await waitFor('node-2 registered', async () => {
    const n = await cp.client.get({ resource: 'nodes', name: 'ksimt-node-2' }).catch(() => undefined) as { spec?: { podCIDR?: string }; status?: { conditions?: unknown[] } } | undefined;
    return n?.status?.conditions && n;
  }, { timeoutMs: 15_000 }).catch((err) => { throw new Error(`${err.message}\n${stderr}`); });
  assert.equal(node.spec?.podCIDR, '10.244.77.0/24');
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  await cp.client.delete({ resource: 'nodes', name: 'ksimt-node-2' });
});

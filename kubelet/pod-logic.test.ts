import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../lib/api/types.js';
import { containerEnv, serviceEnv } from './container-env.js';
import { containerConfig, linuxResources, podNeedsSync, sandboxConfig } from './pod-config.js';
import { buildPodStatus, type ObservedContainer } from './pod-status.js';
import { isApiError } from '../lib/errors.js';

const pod = (spec: Record<string, unknown> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop', uid: 'u1', labels: { app: 'web' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'busybox' }], ...spec },
} as Pod);

const sources = {
  configMap: (_ns: string, name: string) => (name === 'cfg' ? { data: { MODE: 'fast', LEVEL: '3' } } : undefined),
  secret: (_ns: string, name: string) => (name === 'db' ? { data: { password: Buffer.from('s3cret').toString('base64') } } : undefined),
  services: [{ metadata: { name: 'redis-master' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] } }],
  podIP: '10.244.1.5', hostIP: '10.200.0.11', nodeAllocatable: { cpu: '2', memory: '4Gi' },
};

test('container env: service links, envFrom with prefix, valueFrom sources, $(VAR) expansion in order', () => {
  const p = pod();
  const c = {
    name: 'app', image: 'busybox', envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
    resources: { limits: { memory: '64Mi' } },
    env: [
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'URL', value: 'redis://$(REDIS_MASTER_SERVICE_HOST):$(REDIS_MASTER_SERVICE_PORT)/$(ME)/$(NOPE)' },
    ],
  };
  const env = Object.fromEntries(containerEnv(p, c, sources as never).map((e) => [e.name, e.value]));
  assert.equal(env.REDIS_MASTER_SERVICE_HOST, '10.96.0.20');
  assert.equal(env.REDIS_MASTER_PORT_6379_TCP_ADDR, '10.96.0.20');
  assert.equal(env.REDIS_MASTER_SERVICE_PORT_REDIS, '6379');
  assert.equal(env.CFG_MODE, 'fast');
  assert.equal(env.PASS, 's3cret');
  assert.equal(env.ME, 'web-0');
  assert.equal(env.IP, '10.244.1.5');
  assert.equal(env.APP, 'web');
  assert.equal(env.MEM_MI, '64');
  assert.equal(env.URL, 'redis://10.96.0.20:6379/web-0/$(NOPE)');
  assert.throws(() => containerEnv(p, { name: 'x', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }] }, sources as never),
    (e) => isApiError(e) && e.message === 'configmap "missing" not found');
  assert.throws(() => containerEnv(p, { name: 'x', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, sources as never), /couldn't find key k in configmap cfg/);
  assert.deepEqual(containerEnv(pod({ enableServiceLinks: false }), { name: 'x', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'none', key: 'k', optional: true } } }] }, sources as never), []);
  assert.deepEqual(serviceEnv([{ metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }]), []);
});

test('CRI configs: hostname/subdomain alias, host network, ports, argv expansion, resources', () => {
  const p = pod({ hostname: 'web-0', subdomain: 'nginx', hostNetwork: true, containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }] });
  const sb = sandboxConfig(p, 0, { servers: ['10.96.0.10'], searches: [], options: [] }, '/var/log/pods', 'cluster.local') as Record<string, any>;
  assert.deepEqual(sb.host_aliases, ['web-0.nginx.shop.svc.cluster.local']);
  assert.equal(sb.linux.security_context.namespace_options.network, 2);
  assert.equal(sb.linux.security_context.share_process_namespace, false);
  const shared = sandboxConfig(pod({ shareProcessNamespace: true, containers: [{ name: 'app', image: 'nginx' }] }), 0, { servers: [], searches: [], options: [] }, '/var/log/pods', 'cluster.local') as Record<string, any>;
  assert.equal(shared.linux.security_context.share_process_namespace, true);
  assert.equal(sb.log_directory, '/var/log/pods/shop_web-0_u1');
  assert.equal(sb.labels['io.kubernetes.pod.uid'], 'u1');
  assert.deepEqual(sb.port_mappings, [{ protocol: 'TCP', container_port: 80, host_port: 0, host_ip: '' }]);
  const cc = containerConfig(p, { name: 'app', image: 'busybox', command: ['sh', '-c'], args: ['echo $(GREETING) $$(GREETING)'] }, 2, [{ name: 'GREETING', value: 'hi' }], []) as Record<string, any>;
  assert.deepEqual(cc.args, ['echo hi $(GREETING)']);
  assert.equal(cc.log_path, 'app/2.log');
  assert.deepEqual(linuxResources({ resources: { limits: { cpu: '500m', memory: '128Mi' } } }), { memory_limit_in_bytes: 134217728, cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512 });
});

const obs = (o: Partial<ObservedContainer>): ObservedContainer => ({ id: 'c1', state: 1, startedAt: 1e18, finishedAt: 0, exitCode: 0, reason: '', message: '', imageRef: 'sha256:x', ...o });

test('pod status: phases, CrashLoopBackOff with lastState, conditions keep transition times', () => {
  const p = pod();
  const running = buildPodStatus(p, { init: [], main: [{ name: 'app', image: 'busybox', latest: obs({}), restartCount: 0, ready: true }], podIP: '10.244.1.5', hostIP: '10.200.0.11', nowMs: 1000 });
  assert.equal(running.phase, 'Running');
  assert.equal(running.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
  assert.equal(running.podIP, '10.244.1.5');
  assert.equal(running.containerStatuses![0].containerID, 'kubesim://c1');
  const later = buildPodStatus({ ...p, status: running }, { init: [], main: [{ name: 'app', image: 'busybox', latest: obs({}), restartCount: 0, ready: true }], podIP: '10.244.1.5', hostIP: '', nowMs: 99_000 });
  assert.equal(later.conditions![0].lastTransitionTime, running.conditions![0].lastTransitionTime);
  const crash = buildPodStatus(p, { init: [], main: [{ name: 'app', image: 'busybox', latest: obs({ state: 2, exitCode: 1, finishedAt: 2e18 }), restartCount: 3, waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' }, ready: false }], podIP: 'x', hostIP: '', nowMs: 0 });
  assert.equal(crash.phase, 'Running');
  assert.equal(crash.containerStatuses![0].state!.waiting!.reason, 'CrashLoopBackOff');
  assert.equal(crash.containerStatuses![0].lastState!.terminated!.exitCode, 1);
  assert.equal(crash.conditions!.find((c) => c.type === 'Ready')!.status, 'False');
  const done = (code: number, policy: string) => buildPodStatus(pod({ restartPolicy: policy }), { init: [], main: [{ name: 'app', image: 'b', latest: obs({ state: 2, exitCode: code }), restartCount: 0, ready: false }], podIP: '', hostIP: '', nowMs: 0 }).phase;
  assert.equal(done(0, 'Never'), 'Succeeded');
  assert.equal(done(1, 'Never'), 'Failed');
  assert.equal(done(0, 'OnFailure'), 'Succeeded');
  const pulling = buildPodStatus(p, { init: [], main: [{ name: 'app', image: 'nope', restartCount: 0, waiting: { reason: 'ErrImagePull' }, ready: false }], podIP: '', hostIP: '', nowMs: 0 });
  assert.equal(pulling.phase, 'Pending');
  const initPending = buildPodStatus(p, { init: [{ name: 'init', image: 'b', latest: obs({ state: 1 }), restartCount: 0, ready: false }], main: [{ name: 'app', image: 'b', restartCount: 0, ready: false }], podIP: '', hostIP: '', nowMs: 0 });
  assert.equal(initPending.phase, 'Pending');
  assert.equal(initPending.conditions![0].status, 'False');
});

test('a pod update needs a sync unless only its status (or resourceVersion/managedFields) changed', () => {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: '1', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Pending' } };
  const next = (f: (p: Pod) => void) => { const p = structuredClone(pod); f(p); return p; };
  assert.equal(podNeedsSync(pod, next((p) => { p.status = { phase: 'Running' }; p.metadata!.resourceVersion = '2'; p.metadata!.managedFields = [{ manager: 'kubelet' }]; })), false);
  assert.equal(podNeedsSync(pod, next((p) => { p.metadata!.deletionTimestamp = '2026-11-22T00:00:00Z'; })), true);
  assert.equal(podNeedsSync(pod, next((p) => { p.metadata!.labels = { a: '2' }; })), true);
  assert.equal(podNeedsSync(pod, next((p) => { p.spec!.containers![0].image = 'nginx'; })), true);
});

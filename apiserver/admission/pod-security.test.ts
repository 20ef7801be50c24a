import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existingPodWarnings, isSignificantPodUpdate, podSecurityPlugin, podSecurityViolations } from './pod-security.js';
import { evaluatePodSecurity, type CheckedPodSpec } from './pod-security-checks.js';
import { withDefaultTolerations } from './default-toleration-seconds.js';
import { ApiError } from '../../lib/errors.js';
import type { AdmissionAttributes } from './types.js';

/** A container hardened for restricted, with `extra` securityContext fields. */
const hard = (name: string, extra: Record<string, unknown> = {}) => ({ name, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...extra } });
const hardened = (c: Record<string, unknown>[], pod: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): CheckedPodSpec =>
  ({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...pod }, containers: c, ...rest }) as unknown as CheckedPodSpec;

// [name, level, spec, expected violations text ('' = allowed)]
const CASES: [string, string, CheckedPodSpec, string][] = [
  ['plain pod is baseline', 'baseline', { containers: [{ name: 'app' }] }, ''],
  ['privileged allows anything', 'privileged', { hostNetwork: true, containers: [{ name: 'a', securityContext: { privileged: true } }] }, ''],
  ['host namespaces', 'baseline', { hostNetwork: true, hostPID: true, hostIPC: true, containers: [{ name: 'a' }] }, 'host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)'],
  ['privileged containers (init too)', 'baseline', { initContainers: [{ name: 'i', securityContext: { privileged: true } }], containers: [{ name: 'a', securityContext: { privileged: true } }] },
    'privileged (containers "i", "a" must not set securityContext.privileged=true)'],
  ['hostPath', 'baseline', { volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: [{ name: 'a' }] }, 'hostPath volumes (volume "root")'],
  ['hostPorts', 'baseline', { containers: [{ name: 'a', ports: [{ hostPort: 8080 }, { hostPort: 80 }] }] }, 'hostPort (container "a" uses hostPorts 80, 8080)'],
  ['capabilities beyond the default set', 'baseline', { containers: [{ name: 'a', securityContext: { capabilities: { add: ['SYS_ADMIN', 'CHOWN', 'NET_ADMIN'] } } }] },
    'non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)'],
  ['default capabilities are fine', 'baseline', { containers: [{ name: 'a', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'KILL'] } } }] }, ''],
  ['AppArmor unconfined', 'baseline', { containers: [{ name: 'a', securityContext: { appArmorProfile: { type: 'Unconfined' } } }] },
    'forbidden AppArmor profile (container "a" must not set AppArmor profile type to "Unconfined")'],
  ['SELinux type and user', 'baseline', { securityContext: { seLinuxOptions: { type: 'spc_t', user: 'root' } }, containers: [{ name: 'a' }] },
    'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)'],
  ['procMount Unmasked', 'baseline', { containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }] }, 'procMount (container "a" must not set securityContext.procMount to "Unmasked")'],
  ['seccomp Unconfined', 'baseline', { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] },
    'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'],
  ['sysctls', 'baseline', { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies' }, { name: 'kernel.msgmax' }] }, containers: [{ name: 'a' }] }, 'forbidden sysctls (kernel.msgmax)'],
  ['windows hostProcess', 'baseline', { containers: [{ name: 'a', securityContext: { windowsOptions: { hostProcess: true } } }] },
    'hostProcess (container "a" must not set securityContext.windowsOptions.hostProcess=true)'],
  ['restricted: a plain pod, in Kubernetes\' order', 'restricted', { containers: [{ name: 'nginx' }] },
    'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), '
    + 'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), '
    + 'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), '
    + 'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'],
  ['restricted: hardened pod passes', 'restricted', hardened([hard('a'), hard('b', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })]), ''],
  ['restricted: container seccomp Localhost without a pod profile', 'restricted', hardened([hard('a', { seccompProfile: { type: 'Localhost' } })], { seccompProfile: undefined }), ''],
  ['restricted: runAsNonRoot=false and runAsUser=0', 'restricted', hardened([hard('a', { runAsNonRoot: false, runAsUser: 0 })]),
    'runAsNonRoot != true (container "a" must not set securityContext.runAsNonRoot=false), runAsUser=0 (container "a" must not set runAsUser=0)'],
  ['restricted: added capabilities beyond NET_BIND_SERVICE', 'restricted', hardened([hard('a', { capabilities: { drop: ['ALL'], add: ['CHOWN'] } })]),
    'unrestricted capabilities (container "a" must not include "CHOWN" in securityContext.capabilities.add)'],
  ['restricted: volume types (hostPath reported as a restricted type)', 'restricted',
    hardened([hard('a')], {}, { volumes: [{ name: 'h', hostPath: { path: '/x' } }, { name: 'n', nfs: { server: 's', path: '/' } }, { name: 'ok', projected: { sources: [] } }] }),
    'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")'],
  ['restricted: windows pods skip the Linux-only checks', 'restricted', { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'w' }] }, ''],
];

test('Pod Security Standards: table of checks with Kubernetes\' wording', () => {
  for (const [name, level, spec, want] of CASES) assert.equal(podSecurityViolations(level, spec), want, name);
  assert.equal(podSecurityViolations('restricted', { containers: [{ name: 'a' }] }, { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' } }).split('), ')[0],
    'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="unconfined""', 'joinQuote does not escape, as in Kubernetes');
  assert.equal(evaluatePodSecurity('baseline', {}, { containers: [{ name: 'a', securityContext: { privileged: true } }], hostPID: true }).length, 2);
});

const attrs = (resource: string, group: string, object: Record<string, unknown>): AdmissionAttributes => ({
  operation: 'CREATE', ref: { group, version: 'v1', resource }, def: {} as never, namespace: 'ns', name: 'x', object: object as never,
  ctx: { user: { username: 'admin', groups: [] } },
});

test('PodSecurity modes: enforce refuses pods, warn and enforce warn about workload templates, bad enforce values fail closed', async () => {
  const plain = { metadata: { name: 'x' }, spec: { containers: [{ name: 'app' }] } };
  const enforceBaseline = podSecurityPlugin(async () => ({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }));
  const ok = attrs('pods', '', plain);
  await enforceBaseline.admit(ok);
  assert.deepEqual(ok.ctx.warnings?.map((w) => w.split(':')[0]), ['would violate PodSecurity "restricted']);
  const priv = attrs('pods', '', { spec: { containers: [{ name: 'app', securityContext: { privileged: true } }] } });
  await assert.rejects(async () => enforceBaseline.admit(priv), (e: unknown) => e instanceof ApiError && e.code === 'Forbidden'
    && e.message === 'pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)');
  const enforceOnly = podSecurityPlugin(async () => ({ 'pod-security.kubernetes.io/enforce': 'restricted' }));
  const deploy = attrs('deployments', 'apps', { spec: { template: plain } });
  await enforceOnly.admit(deploy);
  assert.match(deploy.ctx.warnings?.[0] ?? '', /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  const cron = attrs('cronjobs', 'batch', { spec: { jobTemplate: { spec: { template: plain } } } });
  await enforceOnly.admit(cron);
  assert.equal(cron.ctx.warnings?.length, 1);
  const typo = podSecurityPlugin(async () => ({ 'pod-security.kubernetes.io/enforce': 'restrictd' }));
  await assert.rejects(async () => typo.admit(attrs('pods', '', plain)), /violates PodSecurity "restricted:latest"/);
  const none = attrs('pods', '', plain);
  await podSecurityPlugin(async () => ({})).admit(none);
  assert.equal(none.ctx.warnings, undefined);
});

test('DefaultTolerationSeconds adds 300 s NoExecute tolerations unless the pod has its own', () => {
  assert.deepEqual(withDefaultTolerations([]).map((t) => [t.key, t.effect, t.tolerationSeconds]), [
    ['node.kubernetes.io/not-ready', 'NoExecute', 300], ['node.kubernetes.io/unreachable', 'NoExecute', 300]]);
  const own = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }];
  assert.deepEqual(withDefaultTolerations(own).map((t) => t.tolerationSeconds), [5, 300]);
  assert.equal(withDefaultTolerations([{ operator: 'Exists' }]).length, 1, 'tolerating everything needs nothing more');
});

test('tightening enforce: existing violating pods grouped by identical reasons, compliant pods not named', () => {
  const pod = (name: string, sc: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { containers: [{ name: 'c', securityContext: sc }] } });
  const ok = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  assert.deepEqual(existingPodWarnings('ns', 'baseline', [pod('web-2'), pod('web-1'), pod('priv', { privileged: true }), pod('web-3')]), [
    'existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"', 'priv: privileged']);
  assert.deepEqual(existingPodWarnings('ns', 'restricted', [pod('b'), pod('a'), pod('good', ok)]), [
    'existing pods in namespace "ns" violate the new PodSecurity enforce level "restricted:latest"',
    'a (and 1 other pods): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile']);
  assert.deepEqual(existingPodWarnings('ns', 'restricted', [pod('good', ok)]), []);
});

test('PodSecurity on updates: only changes that can alter the verdict are judged; workloads warn, subresources pass', async () => {
  const base = { metadata: { name: 'x', labels: { a: '1' } }, spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] } };
  const changed = (f: (p: typeof base & { spec: Record<string, unknown> }) => void) => { const p = structuredClone(base) as typeof base & { spec: Record<string, unknown> }; f(p); return p; };
  assert.equal(isSignificantPodUpdate(changed((p) => { p.metadata.labels.a = '2'; }), base), false, 'labels');
  assert.equal(isSignificantPodUpdate(changed((p) => { p.spec.tolerations = [{ key: 'k', operator: 'Exists' }]; p.spec.activeDeadlineSeconds = 5; }), base), false, 'tolerations, activeDeadlineSeconds');
  assert.equal(isSignificantPodUpdate(changed((p) => { p.spec.containers[0].image = 'nginx:2'; }), base), true, 'image');
  assert.equal(isSignificantPodUpdate(changed((p) => { p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]; }), base), true, 'ephemeral container added');
  assert.equal(isSignificantPodUpdate(changed((p) => { p.spec.initContainers = [{ name: 'init', image: 'busybox' }]; }), base), true, 'init container added');
  const enforce = podSecurityPlugin(async () => ({ 'pod-security.kubernetes.io/enforce': 'baseline' }));
  const update = (resource: string, group: string, object: Record<string, unknown>, oldObject: Record<string, unknown>, subresource?: string): AdmissionAttributes =>
    ({ ...attrs(resource, group, object), operation: 'UPDATE', oldObject: oldObject as never, subresource });
  await enforce.admit(update('pods', '', changed((p) => { p.metadata.labels.a = '2'; }), base));
  await assert.rejects(async () => enforce.admit(update('pods', '', changed((p) => { p.spec.containers[0].image = 'nginx:2'; }), base)),
    (e: unknown) => e instanceof ApiError && e.code === 'Forbidden' && /^pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged/.test(e.message));
  await assert.rejects(async () => enforce.admit(update('pods', '', changed((p) => { p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]; }), base, 'ephemeralcontainers')), /violates PodSecurity/);
  await enforce.admit(update('pods', '', changed((p) => { p.spec.containers[0].image = 'nginx:2'; }), base, 'status'));
  const deploy = update('deployments', 'apps', { spec: { template: base } }, { spec: { template: base } });
  await enforce.admit(deploy);
  assert.match(deploy.ctx.warnings?.[0] ?? '', /^would violate PodSecurity "baseline:latest": privileged/);
  const scale = update('deployments', 'apps', { spec: { template: base } }, { spec: { template: base } }, 'scale');
  await enforce.admit(scale);
  assert.equal(scale.ctx.warnings, undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podSecurityViolations } from './pod-security.js';
import { withDefaultTolerations } from './default-toleration-seconds.js';

test('PodSecurity: privileged allows anything, baseline refuses host access, restricted wants hardening', () => {
  const plain = { containers: [{ name: 'app' }] };
  const hostile = { hostNetwork: true, volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: [{ name: 'app', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } }, ports: [{ hostPort: 80 }] }] };
  const hardened = { securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };
  assert.deepEqual(podSecurityViolations('privileged', hostile), []);
  assert.deepEqual(podSecurityViolations('baseline', plain), []);
  assert.equal(podSecurityViolations('baseline', hostile).length, 5);
  assert.match(podSecurityViolations('baseline', hostile).join('; '), /privileged \(container "app"/);
  assert.equal(podSecurityViolations('restricted', plain).length, 3);
  assert.deepEqual(podSecurityViolations('restricted', hardened), []);
  assert.deepEqual(podSecurityViolations('baseline', { containers: [{ name: 'a', securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }] }), []);
});

test('DefaultTolerationSeconds adds 300 s NoExecute tolerations unless the pod has its own', () => {
  assert.deepEqual(withDefaultTolerations([]).map((t) => [t.key, t.effect, t.tolerationSeconds]), [
    ['node.kubernetes.io/not-ready', 'NoExecute', 300], ['node.kubernetes.io/unreachable', 'NoExecute', 300]]);
  const own = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }];
  assert.deepEqual(withDefaultTolerations(own).map((t) => t.tolerationSeconds), [5, 300]);
  assert.equal(withDefaultTolerations([{ operator: 'Exists' }]).length, 1, 'tolerating everything needs nothing more');
});

/**
 * PodSecurity through the apiserver process and the real kubectl: enforce refuses with
 * Kubernetes' message, warn (and enforce, for workloads) makes kubectl print `Warning: would
 * violate PodSecurity ...` while the object is created, and tightening a namespace's enforce
 * level names the pods already breaking it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, kubectlOk, startCluster } from '../../test/apiserver/harness.js';

const bin = '/usr/bin/kubectl';

test('kubectl sees PodSecurity enforce errors and warn warnings', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  await kubectlOk(bin, c, ['create', 'namespace', 'ksimt-psa']);
  await kubectlOk(bin, c, ['label', 'namespace', 'ksimt-psa', 'pod-security.kubernetes.io/enforce=baseline', 'pod-security.kubernetes.io/warn=restricted']);
  const pod = (name: string, sc: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ksimt-psa' }, spec: { containers: [{ name: 'nginx', image: 'nginx', securityContext: sc }] } });
  const refused = await kubectl(bin, c, ['create', '-f', '-'], { input: pod('priv', { privileged: true }) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Error from server \(Forbidden\): error when creating "STDIN": pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "nginx" must not set securityContext.privileged=true\)/);
  const warned = await kubectl(bin, c, ['create', '-f', '-'], { input: pod('plain') });
  assert.equal(warned.code, 0, warned.stderr);
  assert.equal(warned.stderr, 'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), '
    + 'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), '
    + 'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")\n');
  assert.match(warned.stdout, /^pod\/plain created/);
  const deploy = await kubectl(bin, c, ['create', 'deployment', 'web', '--image=nginx', '-n', 'ksimt-psa']);
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "nginx"/);
  // Tightening enforce warns about the pods already there (reasons only, as kubectl shows it).
  const tighten = await kubectl(bin, c, ['label', 'namespace', 'ksimt-psa', 'pod-security.kubernetes.io/enforce=restricted', '--overwrite']);
  assert.equal(tighten.code, 0, tighten.stderr);
  assert.equal(tighten.stderr, 'Warning: existing pods in namespace "ksimt-psa" violate the new PodSecurity enforce level "restricted:latest"\n'
    + 'Warning: plain: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile\n');
});

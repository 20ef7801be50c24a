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

test('kubectl: PodSecurity judges pod updates that change images or add ephemeral containers, not metadata; workload template updates warn', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const ns = ['-n', 'ksimt-psa-up'];
  await kubectlOk(bin, c, ['create', 'namespace', 'ksimt-psa-up']);
  const pod = (name: string, sc: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ksimt-psa-up' }, spec: { containers: [{ name: 'nginx', image: 'nginx', securityContext: sc }] } });
  await kubectlOk(bin, c, ['create', '-f', '-'], pod('priv', { privileged: true }));
  await kubectlOk(bin, c, ['create', '-f', '-'], pod('plain'));
  const tighten = await kubectl(bin, c, ['label', 'namespace', 'ksimt-psa-up', 'pod-security.kubernetes.io/enforce=baseline']);
  assert.equal(tighten.stderr, 'Warning: existing pods in namespace "ksimt-psa-up" violate the new PodSecurity enforce level "baseline:latest"\nWarning: priv: privileged\n');
  // Metadata and tolerations: not evaluated, the violating pod may still be labelled, annotated, tolerate more.
  for (const args of [['label', 'pod', 'priv', 'tier=web'], ['annotate', 'pod', 'priv', 'note=x'],
    ['patch', 'pod', 'priv', '-p', '{"spec":{"tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}]}}']]) {
    const r = await kubectl(bin, c, [...args, ...ns]);
    assert.deepEqual([r.code, r.stderr], [0, ''], args.join(' '));
  }
  // A new image is judged: the privileged pod may not change it under enforce=baseline.
  const image = await kubectl(bin, c, ['set', 'image', 'pod/priv', 'nginx=nginx:1.27', ...ns]);
  assert.notEqual(image.code, 0);
  assert.match(image.stderr, /pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "nginx" must not set securityContext.privileged=true\)/);
  assert.equal((await kubectlOk(bin, c, ['set', 'image', 'pod/plain', 'nginx=nginx:1.27', ...ns])).trim(), 'pod/plain image updated');
  // kubectl debug adds an ephemeral container (pods/ephemeralcontainers): a privileged one is refused.
  const sysadmin = await kubectl(bin, c, ['debug', 'plain', '--image=busybox', '--profile=sysadmin', '--container=dbg', ...ns]);
  assert.notEqual(sysadmin.code, 0);
  assert.match(sysadmin.stderr, /pods "plain" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "dbg" must not set securityContext.privileged=true\)/);
  const baseline = await kubectl(bin, c, ['debug', 'plain', '--image=busybox', '--profile=baseline', '--container=dbg2', ...ns]);
  assert.equal(baseline.code, 0, baseline.stderr);
  assert.equal((await kubectlOk(bin, c, ['get', 'pod', 'plain', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}', ...ns])), 'dbg2');
  // Workloads: their template is judged (as warnings) on create and on update, not through subresources.
  const created = await kubectl(bin, c, ['create', 'deployment', 'web', '--image=nginx', ...ns]);
  assert.deepEqual([created.code, created.stderr], [0, '']);
  const hostNet = await kubectl(bin, c, ['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"hostNetwork":true}}}}', ...ns]);
  assert.equal(hostNet.code, 0, hostNet.stderr);
  assert.equal(hostNet.stderr, 'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)\n');
  const scaled = await kubectl(bin, c, ['scale', 'deployment', 'web', '--replicas=2', ...ns]);
  assert.deepEqual([scaled.code, scaled.stderr], [0, '']);
});

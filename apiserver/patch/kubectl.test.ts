/**
 * The patch shapes the real kubectl (1.32 and 1.27) sends, end to end, against the in-process
 * control plane (real etcd, registry, REST facade): client-side apply (three-way strategic patch
 * with $setElementOrder and $patch: delete), set image, label/annotate, scale, rollout restart,
 * json patch test failures, server-side apply conflicts and --force-conflicts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';

let cp: TestControlPlane;
let dir: string;
/** The kubectl binary and namespace of the running scenario. */
let bin = 'kubectl';
let ns = '';

before(async () => {
  cp = await startControlPlane();
  dir = mkdtempSync(join(tmpdir(), 'ksimt-patch-'));
  writeFileSync(join(dir, 'kubeconfig'), [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: t, cluster: {server: "${cp.restURL}"}}]`,
    'contexts: [{name: t, context: {cluster: t, user: admin}}]',
    'users: [{name: admin, user: {}}]', 'current-context: t', '',
  ].join('\n'));
});
after(async () => {
  await cp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Result { code: number | null; stdout: string; stderr: string }

function kubectl(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--kubeconfig', join(dir, 'kubeconfig'), '--namespace', ns, ...args], {
      env: { ...process.env, HOME: dir, KUBECTL_KUBERC: 'false' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(input ?? '');
  });
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function getDeploy(): Promise<any> {
  return JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json']));
}

function deployment(opts: { image: string; sidecar: boolean; envB: boolean; replicas?: number }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  ${opts.replicas === undefined ? '' : `replicas: ${opts.replicas}`}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: ${opts.image}
        env:
        - {name: A, value: "1"}
${opts.envB ? '        - {name: B, value: "2"}\n' : ''}${opts.sidecar ? '      - {name: sidecar, image: busybox, command: [sleep, "3600"]}\n' : ''}`;
}

const KUBECTLS = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl.1.27'];

for (const binary of KUBECTLS) test(`${binary} drives every patch type`, async () => {
  bin = binary;
  ns = `ksimt-${randomBytes(3).toString('hex')}`;
  await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`);
  try {
    // client-side apply, then a three-way patch removing a container and an env var
    await ok(['apply', '-f', '-'], deployment({ image: 'nginx:1.24', sidecar: true, envB: true, replicas: 2 }));
    await ok(['apply', '-f', '-'], deployment({ image: 'nginx:1.25', sidecar: false, envB: false, replicas: 2 }));
    let d = await getDeploy();
    assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name), ['nginx']);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);

    await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
    await ok(['label', 'deployment', 'web', 'tier=fe']);
    await ok(['annotate', 'deployment', 'web', 'note=hello']);
    await ok(['scale', 'deployment', 'web', '--replicas=4']);
    await ok(['rollout', 'restart', 'deployment/web']);
    d = await getDeploy();
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(d.metadata.labels.tier, 'fe');
    assert.equal(d.metadata.annotations.note, 'hello');
    assert.equal(d.spec.replicas, 4);
    assert.match(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-/);
    await ok(['label', 'deployment', 'web', 'tier-']);
    assert.equal((await getDeploy()).metadata.labels.tier, undefined);

    // kubectl patch: strategic (default) merges containers by name; merge replaces the list
    await ok(['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"extra","image":"busybox"}]}}}}']);
    assert.deepEqual((await getDeploy()).spec.template.spec.containers.map((c: any) => c.name), ['nginx', 'extra']);
    await ok(['patch', 'deployment', 'web', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/template/spec/containers/1"}]']);
    const failed = await kubectl(['patch', 'deployment', 'web', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /testing value \/spec\/replicas failed: test failed/);

    // client-side apply switching the strategy to Recreate sends $retainKeys, dropping rollingUpdate
    const withStrategy = (strategy: string) => deployment({ image: 'nginx:1.26', sidecar: false, envB: false, replicas: 4 }).replace('spec:\n', `spec:\n  strategy: ${strategy}\n`);
    await ok(['apply', '-f', '-'], withStrategy('{type: RollingUpdate, rollingUpdate: {maxSurge: 2}}'));
    assert.equal((await getDeploy()).spec.strategy.rollingUpdate.maxSurge, 2);
    await ok(['apply', '-f', '-'], withStrategy('{type: Recreate}'));
    assert.deepEqual((await getDeploy()).spec.strategy, { type: 'Recreate' });

    // nodes: taints are replaced whole (no merge key in Kubernetes), cordon patches spec
    const node = `n-${ns}`;
    await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Node\nmetadata: {name: ${node}}\n`);
    try {
      await ok(['taint', 'nodes', node, 'a=1:NoSchedule']);
      await ok(['taint', 'nodes', node, 'b=2:NoExecute']);
      await ok(['taint', 'nodes', node, 'a-']);
      await ok(['cordon', node]);
      const n = JSON.parse(await ok(['get', 'node', node, '-o', 'json']));
      assert.deepEqual(n.spec.taints.map((t: any) => t.key), ['b']);
      assert.equal(n.spec.unschedulable, true);
    } finally {
      await kubectl(['delete', 'node', node]);
    }

    // finalizers: merge patch with null clears them
    await ok(['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"metadata":{"finalizers":["example.com/keep"]}}']);
    await ok(['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    assert.equal((await getDeploy()).metadata.finalizers, undefined);

    // server-side apply: a field another applier owns conflicts until forced
    await ok(['apply', '--server-side', '--field-manager=alice', '--force-conflicts', '-f', '-'], deployment({ image: 'nginx:1.26', sidecar: false, envB: false, replicas: 7 }));
    const ssa = deployment({ image: 'nginx:1.26', sidecar: false, envB: false, replicas: 8 });
    const conflict = await kubectl(['apply', '--server-side', '--field-manager=ops', '-f', '-'], ssa);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "alice" using apps\/v1: \.spec\.replicas/);
    assert.equal((await getDeploy()).spec.replicas, 7);
    await ok(['apply', '--server-side', '--field-manager=ops', '--force-conflicts', '-f', '-'], ssa);
    d = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json', '--show-managed-fields']));
    assert.equal(d.spec.replicas, 8);
    const ops = d.metadata.managedFields.find((e: any) => e.manager === 'ops');
    const alice = d.metadata.managedFields.find((e: any) => e.manager === 'alice');
    assert.equal(ops.operation, 'Apply');
    assert.deepEqual(ops.fieldsV1['f:spec']['f:replicas'], {});
    assert.equal(alice.fieldsV1['f:spec']['f:replicas'], undefined, 'ownership moved to ops');

    // client-side apply, then server-side apply by "kubectl": last-applied fields move without conflicts
    const csa = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa}\ndata: {k: "${v}"}\n`;
    await ok(['apply', '-f', '-'], csa('1'));
    await ok(['apply', '-f', '-'], csa('2'));
    await ok(['apply', '--server-side', '-f', '-'], csa('3'));
    assert.equal(JSON.parse(await ok(['get', 'configmap', 'csa', '-o', 'json'])).data.k, '3');

    // server-side apply creates, and a later apply without a key removes it
    const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {${data}}\n`;
    assert.match(await ok(['apply', '--server-side', '-f', '-'], cm('a: "1", b: "2"')), /configmap\/ssa serverside-applied/);
    await ok(['patch', 'configmap', 'ssa', '--type', 'merge', '-p', '{"data":{"c":"3"}}']);
    await ok(['apply', '--server-side', '-f', '-'], cm('a: "1"'));
    const data = JSON.parse(await ok(['get', 'configmap', 'ssa', '-o', 'json'])).data;
    assert.deepEqual(data, { a: '1', c: '3' }, 'b removed (only kubectl owned it), c kept (kubectl-patch owns it)');
  } finally {
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }
});

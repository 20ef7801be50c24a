/**
 * The real kubectl (1.32 and 1.27) against the real apiserver process: apply, get (table, wide,
 * yaml, json, selectors, watch), describe, label, annotate, scale, patch (json/merge/strategic),
 * server-side apply, create configmap, events, delete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../lib/testing/wait.js';
import { kubectl, kubectlBinaries, kubectlOk, startCluster, type TestCluster } from './harness.js';

function manifest(ns: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: ${ns}
  labels: {app: x}
data:
  color: blue
`;
}

async function scenario(bin: string, c: TestCluster): Promise<void> {
  const ns = `ksimt-${randomBytes(3).toString('hex')}`;
  const k = (args: string[], input?: string) => kubectlOk(bin, c, args, input);
  const applied = await k(['apply', '-f', '-'], manifest(ns));
  for (const line of [`namespace/${ns} created`, 'deployment.apps/web created', 'service/web created', 'configmap/cfg created']) assert.match(applied, new RegExp(line.replace('.', '\\.')));
  try {
    // Re-applying the same manifest is a no-op kubectl reports as "unchanged".
    assert.match(await k(['apply', '-f', '-'], manifest(ns)), /configmap\/cfg unchanged/);

    const deploys = await k(['get', 'deployments', '-n', ns]);
    assert.match(deploys, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    assert.match(deploys, /^web\s+/m);
    const wide = await k(['get', 'deploy', '-n', ns, '-o', 'wide']);
    assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /nginx:1\.25/);
    const asYaml = await k(['get', 'deploy', 'web', '-n', ns, '-o', 'yaml']);
    assert.match(asYaml, /^kind: Deployment$/m);
    assert.match(asYaml, /replicas: 2/);
    const asJson = JSON.parse(await k(['get', 'svc', 'web', '-n', ns, '-o', 'json'])) as { kind: string; spec: { clusterIP: string } };
    assert.equal(asJson.kind, 'Service');
    assert.match(asJson.spec.clusterIP, /^10\./);
    assert.match(await k(['get', 'svc', '-n', ns]), /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);

    await k(['create', 'configmap', 'other', '-n', ns, '--from-literal=a=1']);
    // kubectl 1.32+ sends `create <kind>` bodies as Kubernetes protobuf.
    assert.match(await k(['create', 'deployment', 'api', '-n', ns, '--image=busybox', '--replicas=2', '--port=8080', '--', 'sleep', '3600']), /deployment\.apps\/api created/);
    assert.equal(await k(['get', 'deploy', 'api', '-n', ns, '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].command} {.spec.template.spec.containers[0].ports[0].containerPort}']), '2 ["sleep","3600"] 8080');
    assert.match(await k(['create', 'service', 'nodeport', 'api', '-n', ns, '--tcp=80:8080']), /service\/api created/);
    assert.equal(await k(['get', 'svc', 'api', '-n', ns, '-o', 'jsonpath={.spec.type} {.spec.ports[0].targetPort}']), 'NodePort 8080');
    const selected = await k(['get', 'cm', '-n', ns, '-l', 'app=x', '-o', 'name']);
    assert.equal(selected.trim(), 'configmap/cfg');
    const showLabels = await k(['get', 'cm', 'cfg', '-n', ns, '--show-labels']);
    assert.match(showLabels, /LABELS/);
    assert.match(showLabels, /app=x/);

    await watchSeesCreate(bin, c, ns);

    const described = await k(['describe', 'deployment', 'web', '-n', ns]);
    assert.match(described, /^Name:\s+web$/m);
    assert.match(described, /^Namespace:\s+ksimt-/m);
    assert.match(described, /Replicas:\s+2 desired/);

    assert.match(await k(['label', 'cm', 'cfg', '-n', ns, 'tier=backend']), /configmap\/cfg labeled/);
    assert.equal((await k(['get', 'cm', '-n', ns, '-l', 'tier=backend', '-o', 'name'])).trim(), 'configmap/cfg');
    assert.match(await k(['annotate', 'cm', 'cfg', '-n', ns, 'note=hello']), /configmap\/cfg annotated?\n/ /* kubectl 1.27 prints 'annotate' */);
    assert.equal(await k(['get', 'cm', 'cfg', '-n', ns, '-o', 'jsonpath={.metadata.annotations.note}']), 'hello');

    assert.match(await k(['scale', 'deployment', 'web', '-n', ns, '--replicas=3']), /deployment\.apps\/web scaled/);
    assert.equal(await k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '3');

    await k(['patch', 'cm', 'cfg', '-n', ns, '--type', 'merge', '-p', '{"data":{"size":"L"}}']);
    await k(['patch', 'cm', 'cfg', '-n', ns, '--type', 'json', '-p', '[{"op":"replace","path":"/data/color","value":"red"}]']);
    assert.equal(await k(['get', 'cm', 'cfg', '-n', ns, '-o', 'jsonpath={.data.color}/{.data.size}']), 'red/L');
    await k(['patch', 'deploy', 'web', '-n', ns, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}']);
    const images = await k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[*].image}']);
    assert.equal(images, 'nginx:1.26', 'strategic merge patch merges the container list by name');

    // Client-side apply merges lists by key: an env var added by someone else survives a re-apply.
    await k(['patch', 'deploy', 'web', '-n', ns, '--type', 'json', '-p', '[{"op":"add","path":"/spec/template/spec/containers/0/env","value":[{"name":"INJECTED","value":"x"}]}]']);
    assert.match(await k(['apply', '-f', '-'], manifest(ns).replace('nginx:1.25', 'nginx:1.27')), /deployment\.apps\/web configured/);
    assert.equal(await k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}']), 'nginx:1.27 INJECTED');

    const ssa = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: ${ns}\ndata:\n  k: v\n`;
    assert.match(await k(['apply', '--server-side', '-f', '-'], ssa), /configmap\/ssa serverside-applied/);
    assert.equal(await k(['get', 'cm', 'ssa', '-n', ns, '-o', 'jsonpath={.data.k}']), 'v');

    const file = join(c.dir, `game-${ns}.properties`);
    writeFileSync(file, 'lives=3\n');
    assert.match(await k(['create', 'configmap', 'fromfile', '-n', ns, `--from-file=${file}`]), /configmap\/fromfile created/);
    assert.equal(await k(['get', 'cm', 'fromfile', '-n', ns, '-o', `jsonpath={.data.game-${ns}\\.properties}`]), 'lives=3\n');

    assert.equal((await k(['auth', 'can-i', 'create', 'deployments', '-n', ns])).trim(), 'yes');
    const explained = await k(['explain', 'pod.spec.containers']);
    assert.match(explained, /^KIND:\s+Pod$/m);
    assert.match(explained, /^\s+image\s+<string>/m);

    // kubectl's default is --validate=strict (server-side fieldValidation=Strict): an unknown field is refused, naming it.
    const typoYaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\n  namespace: ${ns}\ndatta:\n  a: b\n`;
    const strict = await kubectl(bin, c, ['apply', '-f', '-'], { input: typoYaml });
    assert.notEqual(strict.code, 0, strict.stdout);
    assert.match(strict.stderr, /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta"/);
    const warned = await kubectl(bin, c, ['apply', '--validate=warn', '-f', '-'], { input: typoYaml });
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /Warning: unknown field "datta"/);
    const ignored = await kubectl(bin, c, ['apply', '--validate=false', '-f', '-'], { input: typoYaml.replace('name: typo', 'name: typo2') });
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.doesNotMatch(ignored.stderr, /unknown field/);

    const events = await kubectl(bin, c, ['get', 'events', '-n', ns]);
    assert.equal(events.code, 0, events.stderr);

    const everywhere = await k(['get', 'cm', '-A', '-l', 'app=x']);
    assert.match(everywhere, /^NAMESPACE\s+NAME\s+/);
    assert.match(everywhere, new RegExp(`^${ns}\\s+cfg\\s`, 'm'));
    const all = await k(['get', 'all', '-n', ns]);
    assert.match(all, /deployment\.apps\/web/);
    assert.match(all, /service\/web/);

    assert.match(await k(['delete', 'cm', 'other', '-n', ns]), /configmap "other" deleted/);
    const missing = await kubectl(bin, c, ['get', 'cm', 'other', '-n', ns]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "other" not found/);
    const unknown = await kubectl(bin, c, ['get', 'nosuchkinds']);
    assert.match(unknown.stderr, /the server doesn't have a resource type "nosuchkinds"/);
    const deleted = await k(['delete', '-f', '-'], manifest(ns).split('---').slice(1).join('---'));
    for (const line of ['deployment.apps "web" deleted', 'service "web" deleted', 'configmap "cfg" deleted']) assert.ok(deleted.includes(line), deleted);
  } finally {
    await kubectl(bin, c, ['delete', 'namespace', ns, '--wait=false']);
  }
}

/** `kubectl get --watch` prints a new row when an object is created. */
async function watchSeesCreate(bin: string, c: TestCluster, ns: string): Promise<void> {
  const child = spawn(bin, ['--kubeconfig', c.kubeconfig, 'get', 'cm', '-n', ns, '--watch'], { env: { ...process.env, HOME: c.dir } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  try {
    await waitFor('watch prints the current list', () => /^cfg\s/m.test(out));
    await kubectlOk(bin, c, ['create', 'configmap', 'watched', '-n', ns, '--from-literal=x=y']);
    await waitFor('watch prints the created configmap', () => /^watched\s/m.test(out), { timeoutMs: 15_000 });
    assert.equal((out.match(/^NAME\s/gm) ?? []).length, 1, `one header only:\n${out}`);
  } finally {
    child.kill('SIGKILL');
  }
}

test('real kubectl drives the apiserver', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  for (const bin of kubectlBinaries()) {
    await t.test(bin, async () => {
      try {
        await scenario(bin, c);
      } catch (err) {
        (err as Error).message += `\n--- apiserver log tail ---\n${c.logs().slice(-3000)}`;
        throw err;
      }
    });
  }
});

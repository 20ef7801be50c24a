/**
 * The real kubectl against the real apiserver process: the tables, defaults, selectors and
 * validation errors defined in apiserver/resources as a user sees them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, kubectlBinaries, kubectlOk, startCluster, type TestCluster } from '../../test/apiserver/harness.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.25", ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: front, labels: {app: web, tier: front}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: back, labels: {app: db}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello}
spec:
  schedule: "*/1 * * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}}}}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cret}
`;

const BAD_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx, ports: [{containerPort: 70000}]}]}
`;

const BAD_JOB = `apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec: {template: {spec: {containers: [{name: pi, image: perl}]}}}
`;

/** The header line of a `kubectl get` output, with runs of spaces collapsed. */
function header(out: string): string {
  return out.split('\n')[0].trim().replace(/\s{2,}/g, ' | ');
}

for (const bin of kubectlBinaries()) {
  test(`${bin.split('/').pop()} sees kubesim tables, defaults, selectors and validation errors as Kubernetes`, { timeout: 120_000 }, () => scenario(bin));
}

async function scenario(bin: string): Promise<void> {
  const c: TestCluster = await startCluster();
  try {
    const k = (args: string[], input?: string) => kubectlOk(bin, c, args, input);
    await k(['apply', '-f', '-'], MANIFEST);

    assert.equal(header(await k(['get', 'deploy'])), 'NAME | READY | UP-TO-DATE | AVAILABLE | AGE');
    assert.equal(header(await k(['get', 'deploy', '-o', 'wide'])), 'NAME | READY | UP-TO-DATE | AVAILABLE | AGE | CONTAINERS | IMAGES | SELECTOR');
    assert.match(await k(['get', 'deploy', '-o', 'wide']), /^web\s+0\/2\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.25\s+app=web$/m);
    assert.equal(header(await k(['get', 'pods', '-o', 'wide'])), 'NAME | READY | STATUS | RESTARTS | AGE | IP | NODE | NOMINATED NODE | READINESS GATES');
    assert.match(await k(['get', 'pod', 'front']), /^front\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    assert.match(await k(['get', 'svc', 'web']), /^web\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+\d+s$/m);
    assert.equal(header(await k(['get', 'cronjobs'])), 'NAME | SCHEDULE | TIMEZONE | SUSPEND | ACTIVE | LAST SCHEDULE | AGE');
    assert.match(await k(['get', 'secret', 'creds']), /^creds\s+Opaque\s+1\s+\d+s$/m);
    assert.equal(await k(['get', 'secret', 'creds', '-o', 'jsonpath={.data.password}']), Buffer.from('s3cret').toString('base64'));

    // Events: LAST SEEN first, the name only with -o wide, field selectors on the involved object.
    const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'front.1' }, involvedObject: { kind: 'Pod', name: 'front', namespace: 'default', fieldPath: 'spec.containers{c}' },
      reason: 'Pulled', message: 'Successfully pulled image "busybox"', type: 'Normal', source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ts, lastTimestamp: ts, count: 2 }));
    assert.equal(header(await k(['get', 'events'])), 'LAST SEEN | TYPE | REASON | OBJECT | MESSAGE');
    assert.equal(header(await k(['get', 'events', '-o', 'wide'])), 'LAST SEEN | TYPE | REASON | OBJECT | SUBOBJECT | SOURCE | MESSAGE | FIRST SEEN | COUNT | NAME');
    assert.match(await k(['get', 'events', '--field-selector', 'involvedObject.name=front,reason=Pulled']), /^\d+s\s+Normal\s+Pulled\s+pod\/front\s+Successfully pulled image "busybox"$/m);

    // Defaults land in the stored object.
    const pod = JSON.parse(await k(['get', 'pod', 'front', '-o', 'json'])) as { spec: { restartPolicy: string; containers: { imagePullPolicy: string }[] }; status: { qosClass: string } };
    assert.equal(pod.spec.restartPolicy, 'Always');
    assert.equal(pod.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(pod.status.qosClass, 'BestEffort');

    // Label and field selectors.
    const names = async (args: string[]) => (await k(['get', 'pods', '-o', 'name', ...args])).trim().split('\n').filter(Boolean).sort();
    assert.deepEqual(await names(['-l', 'app in (web,cache),tier']), ['pod/front']);
    assert.deepEqual(await names(['-l', 'app!=web']), ['pod/back']);
    assert.deepEqual(await names(['--field-selector', 'metadata.name=back,status.phase=Pending']), ['pod/back']);
    const badSel = await kubectl(bin, c, ['get', 'pods', '-l', 'app in (']);
    assert.notEqual(badSel.code, 0);
    assert.match(badSel.stderr, /unable to parse requirement: found '', expected: ',', '\)' or identifiers/);

    // Validation errors, worded and pathed as Kubernetes.
    const bad = await kubectl(bin, c, ['apply', '-f', '-'], { input: BAD_DEPLOYMENT });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The Deployment "bad" is invalid/);
    assert.match(bad.stderr, /spec\.template\.metadata\.labels: Invalid value: .*: `selector` does not match template `labels`/);
    assert.match(bad.stderr, /spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    const job = await kubectl(bin, c, ['apply', '-f', '-'], { input: BAD_JOB });
    assert.match(job.stderr, /The Job "pi" is invalid: spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
  } finally {
    await c.stop();
  }
}

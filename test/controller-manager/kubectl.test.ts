/**
 * The seeds' commands with the real kubectl against the apiserver process, the controllers of
 * this engineer running in-process: a static PV bound to a claim (`kubectl get pv,pvc`), and an
 * autoscaling/v2 HPA scaling a Deployment (`kubectl get hpa`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, kubectlBinaries, kubectlOk } from '../apiserver/harness.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { EventRecorder } from '../../lib/client/event-recorder.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { PersistentVolumeController } from '../../controller-manager/controllers/persistent-volume/controller.js';
import { HorizontalPodAutoscalerController } from '../../controller-manager/controllers/hpa.js';
import { ReplicaSetController } from '../../controller-manager/controllers/replica-set.js';
import { DeploymentController } from '../../controller-manager/controllers/deployment/controller.js';
import type { MetricsSource } from '../../controller-manager/controllers/hpa-metrics.js';
import type { Pod } from '../../lib/api/types.js';

/** Every pod uses exactly its CPU request (100m): 100 % utilisation. */
const fullyBusy: MetricsSource = { podCpuMilli: async (pods: Pod[]) => new Map(pods.map((p) => [`${p.metadata!.namespace}/${p.metadata!.name}`, 100])) };

const MANIFESTS = `
apiVersion: v1
kind: PersistentVolume
metadata: {name: mongodb-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  hostPath: {path: /tmp/mongodb}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: mongodb-pvc}
spec:
  resources: {requests: {storage: 1Gi}}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: php-apache}
spec:
  replicas: 1
  selector: {matchLabels: {run: php-apache}}
  template:
    metadata: {labels: {run: php-apache}}
    spec:
      containers:
      - name: php-apache
        image: nginx
        resources: {requests: {cpu: 100m}}
`;

const HPA = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: php-apache}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`;

test('kubectl: a PV binds its claim; an HPA scales a Deployment', { timeout: 90_000 }, async (t) => {
  const c = await startCluster();
  const client = ApiClient.connect(`127.0.0.1:${c.grpcPort}`);
  const stop = new AbortController();
  t.after(async () => { stop.abort(); client.close(); await c.stop(); });
  const informers = new InformerFactory(client);
  const recorder = new EventRecorder(client, { component: 'controller-manager' });
  const controllers = [
    new PersistentVolumeController(informers, client, recorder, { pvRoot: `${c.dir}/pv` }),
    new HorizontalPodAutoscalerController(informers, client, recorder, fullyBusy, { syncPeriodMs: 300 }),
    new ReplicaSetController(informers, client, recorder),
    new DeploymentController(informers, client, recorder),
  ];
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  for (const ctl of controllers) void ctl.run(2, stop.signal);
  startFakeKubelet(client, stop.signal);

  const k = (args: string[], input?: string) => kubectlOk(kubectlBinaries()[0], c, args, input);
  await k(['apply', '-f', '-'], MANIFESTS);
  await waitFor('claim Bound', async () => (await k(['get', 'pvc', 'mongodb-pvc', '-o', 'jsonpath={.status.phase}'])) === 'Bound', { timeoutMs: 15_000 });
  const pv = await k(['get', 'pv', 'mongodb-pv']);
  assert.match(pv, /mongodb-pv\s+1Gi\s+RWO,ROX\s+Retain\s+Bound\s+default\/mongodb-pvc\s+manual/);
  assert.match(await k(['get', 'pvc', 'mongodb-pvc']), /mongodb-pvc\s+Bound\s+mongodb-pv\s+1Gi\s+RWO,ROX\s+manual/);

  // `kubectl autoscale` posts autoscaling/v1 (served over the v2 storage); the v2 manifest below is the same HPA.
  assert.match(await k(['autoscale', 'deployment', 'php-apache', '--cpu-percent=50', '--min=1', '--max=5']), /autoscaled/);
  assert.match(await k(['apply', '-f', '-'], HPA), /configured|unchanged/);
  const v1 = JSON.parse(await k(['get', 'horizontalpodautoscalers.v1.autoscaling', 'php-apache', '-o', 'json']));
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
  await waitFor('deployment scaled to the maximum', async () => (await k(['get', 'deployment', 'php-apache', '-o', 'jsonpath={.spec.replicas}'])) === '5', { timeoutMs: 30_000 });
  const hpa = await waitFor('hpa status shows 5 replicas', async () => {
    const out = await k(['get', 'hpa', 'php-apache']);
    return /\s5\s+\S+$/m.test(out.trim()) ? out : undefined;
  }, { timeoutMs: 15_000 });
  assert.match(hpa, /cpu: 100%\/50%/);
});

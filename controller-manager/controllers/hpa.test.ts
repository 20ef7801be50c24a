import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { HorizontalPodAutoscalerController, desiredReplicas, stabilize, type PodCpu } from './hpa.js';
import { cpuRateMilli, podMetricsCpuMilli, type MetricsSource } from './hpa-metrics.js';
import type { Deployment, HorizontalPodAutoscaler, Pod } from '../../lib/api/types.js';

const pods = (n: number, usage: number | undefined, ready = true): PodCpu[] => Array.from({ length: n }, () => ({ ready, requestMilli: 100, usageMilli: usage }));

test('desiredReplicas: ceil(pods · utilisation / target) outside the 10 % tolerance', () => {
  assert.deepEqual(desiredReplicas(2, pods(2, 200), 100), { desired: 4, utilization: 200 });
  assert.deepEqual(desiredReplicas(3, pods(3, 105), 100), { desired: 3, utilization: 105 }, 'inside tolerance: no change');
  assert.deepEqual(desiredReplicas(4, pods(4, 20), 50), { desired: 2, utilization: 20 });
  assert.equal(desiredReplicas(2, pods(2, undefined), 50), undefined, 'no metrics: no recommendation');
});

test('desiredReplicas: pods without metrics count as 0 % when growing and 100 % when shrinking', () => {
  // 2 pods at 200 %, 2 without metrics: growing assumes 0 % for them → ratio 1.0 over 4 pods → no change.
  assert.equal(desiredReplicas(4, [...pods(2, 200), ...pods(2, undefined)], 100)!.desired, 4);
  // 2 pods at 10 %, 2 without metrics: shrinking assumes 100 % for them → 55 % of target 100 → ceil(0.55·4) = 3.
  assert.equal(desiredReplicas(4, [...pods(2, 10), ...pods(2, undefined)], 100)!.desired, 3);
});

test('stabilize: scale-down takes the highest recommendation of the window, scale-up is immediate', () => {
  const h = [{ at: 0, replicas: 6 }, { at: 100_000, replicas: 3 }, { at: 200_000, replicas: 2 }];
  assert.equal(stabilize(h, 6, 200_000, 0, 300_000), 6, 'a 6 within the window holds the scale-down');
  assert.equal(stabilize(h, 6, 350_000, 0, 300_000), 3);
  assert.equal(stabilize([...h, { at: 360_000, replicas: 9 }], 6, 360_000, 0, 300_000), 9);
});

test('cpu rate from two cumulative samples; PodMetrics summed over containers', () => {
  const a = { timeMs: Date.parse('2026-01-01T00:00:00Z'), usageNanoSeconds: 2e9 };
  const b = { timeMs: Date.parse('2026-01-01T00:00:02Z'), usageNanoSeconds: 3e9 };
  assert.equal(cpuRateMilli(a, b), 500, '1 s of CPU over 2 s = 500m');
  assert.equal(cpuRateMilli(undefined, b), undefined);
  assert.equal(cpuRateMilli(b, a), undefined, 'time going backwards makes no rate');
  assert.equal(podMetricsCpuMilli({ containers: [{ usage: { cpu: '250m' } }, { usage: { cpu: '1' } }, { usage: { cpu: '120000n' } }] }), 1251);
  assert.equal(podMetricsCpuMilli({ containers: [{ usage: {} }] }), undefined);
});

/** A metrics source the test sets by hand (the seam where metrics.k8s.io or kubelet stats plug in). */
class TableMetrics implements MetricsSource {
  milli = 0;
  async podCpuMilli(ps: Pod[]): Promise<Map<string, number>> { return new Map(ps.map((p) => [`${p.metadata!.namespace}/${p.metadata!.name}`, this.milli])); }
}

let cp: TestControlPlane;
const stop = new AbortController();
const metrics = new TableMetrics();

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new HorizontalPodAutoscalerController(informers, cp.client, { event: () => undefined }, metrics, { syncPeriodMs: 200 });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

test('an HPA scales a Deployment through its scale subresource and reports status', async () => {
  const D = { group: 'apps', resource: 'deployments', namespace: 'default' };
  await cp.client.create<Deployment>(D, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'php' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'php' } }, template: { metadata: { labels: { app: 'php' } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } } } });
  for (const n of ['php-1', 'php-2']) {
    const p = await cp.client.create<Pod>({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: n, labels: { app: 'php' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } });
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    await cp.client.updateStatus({ resource: 'pods', namespace: 'default' }, p);
  }
  metrics.milli = 200; // 200 % of request
  await cp.client.create<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespace: 'default' }, {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'php' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'php' }, minReplicas: 1, maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 100 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 1 } } },
  });
  const replicas = async () => (await cp.client.get<Deployment>({ ...D, name: 'php' })).spec?.replicas;
  await waitFor('scaled up to 4', async () => (await replicas()) === 4);
  const hpa = await waitFor('status', async () => {
    const h = await cp.client.get<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespace: 'default', name: 'php' });
    return h.status?.currentReplicas === 4 ? h : undefined;
  });
  assert.ok(hpa.status?.lastScaleTime);
  assert.equal(hpa.status?.conditions?.find((c) => c.type === 'ScalingActive')?.status, 'True');
  metrics.milli = 10; // 10 %: ceil(0.1 · 2 ready pods) = 1, after the 1 s window
  await waitFor('scaled down to the minimum', async () => (await replicas()) === 1, { timeoutMs: 10_000 });
  const h = await waitFor('status after scale-down', async () => {
    const x = await cp.client.get<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespace: 'default', name: 'php' });
    return x.status?.currentReplicas === 1 ? x : undefined;
  });
  assert.equal(h.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization, 10);
});

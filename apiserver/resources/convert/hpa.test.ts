import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hpaV1ToV2, hpaV2ToV1, METRICS_ANNOTATION } from './hpa.js';

const v1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
  status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 95 } };

test('kubectl autoscale (v1) becomes a v2 CPU utilization metric', () => {
  const v2 = hpaV1ToV2(v1);
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual((v2.spec as { metrics: unknown }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.deepEqual((v2.status as { currentMetrics: unknown }).currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 95 } } }]);
  assert.deepEqual(hpaV2ToV1(v2), v1);
});

test('v2 metrics v1 cannot express survive a round trip through v1', () => {
  const v2 = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } }] },
    status: { currentReplicas: 1, desiredReplicas: 1, conditions: [{ type: 'AbleToScale', status: 'True' }] } };
  const asV1 = hpaV2ToV1(v2);
  assert.equal((asV1.spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 50);
  assert.ok(asV1.metadata!.annotations![METRICS_ANNOTATION].includes('memory'));
  assert.deepEqual(hpaV1ToV2(asV1), v2);
});

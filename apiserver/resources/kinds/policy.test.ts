import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import type { KObject } from '../../../lib/api/object.js';

const defs = builtinResources();
const def = (group: string, resource: string) => defs.find((d) => d.group === group && d.resource === resource)!;
const now = new Date('2026-11-22T10:00:00Z');
const meta = { name: 'x', namespace: 'default', creationTimestamp: '2026-11-22T09:58:00Z' };
const msgs = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}|${e.message}`);

test('resource quota validation and table', () => {
  const d = def('', 'resourcequotas');
  assert.deepEqual(msgs(d.validateCreate!({ metadata: meta, spec: { hard: { pods: '10', 'requests.cpu': 'lots', 'limits.memory': '-1Gi' }, scopes: ['Sometimes'] } })), [
    "spec.hard[requests.cpu]|quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    'spec.hard[limits.memory]|must be greater than or equal to 0',
    'spec.scopes[0]|supported values: "BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating"',
  ]);
  const q: KObject = { metadata: meta, status: { hard: { pods: '10', 'requests.cpu': '1', 'limits.memory': '2Gi', 'limits.cpu': '2' }, used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' } } };
  assert.deepEqual(d.tableRow!(q, now), ['x', '2m', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 1/2, limits.memory: 0/2Gi']);
});

test('limit ranges', () => {
  const d = def('', 'limitranges');
  assert.deepEqual(d.validateCreate!({ metadata: meta, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, min: { cpu: '100m' }, max: { cpu: '1' } }] } }), []);
  assert.deepEqual(msgs(d.validateCreate!({ metadata: meta, spec: { limits: [{ type: 'Node', min: { cpu: '2' }, max: { cpu: '1' } }] } })), [
    'spec.limits[0].type|supported values: "Container", "Pod", "PersistentVolumeClaim"', 'spec.limits[0].min[cpu]|min value 2 is greater than max value 1',
  ]);
});

test('pod disruption budgets', () => {
  const d = def('policy', 'poddisruptionbudgets');
  assert.deepEqual(d.validateCreate!({ metadata: meta, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } }), []);
  assert.deepEqual(msgs(d.validateCreate!({ metadata: meta, spec: { minAvailable: 1, maxUnavailable: 1 } })), ['spec|minAvailable and maxUnavailable cannot be both set']);
  assert.deepEqual(d.tableRow!({ metadata: meta, spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }, now), ['x', '2', 'N/A', 1, '2m']);
});

test('priority classes', () => {
  const d = def('scheduling.k8s.io', 'priorityclasses');
  const pc: KObject = { metadata: { name: 'high' }, value: 1000 };
  d.defaults!(pc);
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(d.validateCreate!(pc), []);
  assert.deepEqual(msgs(d.validateCreate!({ metadata: { name: 'huge' }, value: 2_000_000_000 })), ['value|maximum allowed value of a user defined priority is 1000000000']);
  assert.deepEqual(msgs(d.validateCreate!({ metadata: { name: 'system-mine' }, value: 1 })), ["metadata.name|priority class names with 'system-' prefix are reserved"]);
  assert.deepEqual(msgs(d.validateUpdate!({ ...pc, value: 5 }, pc)), ['value|may not be changed in an update.']);
  assert.deepEqual(d.tableRow!({ ...pc, metadata: { name: 'high', creationTimestamp: meta.creationTimestamp } }, now), ['high', 1000, false, '2m', 'PreemptLowerPriority']);
});

test('horizontal pod autoscalers: defaults, validation, TARGETS column', () => {
  const d = def('autoscaling', 'horizontalpodautoscalers');
  const hpa: KObject = { metadata: meta, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } };
  d.defaults!(hpa);
  assert.deepEqual(hpa.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, minReplicas: 1, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] });
  assert.deepEqual(d.validateCreate!(hpa), []);
  assert.deepEqual(d.tableRow!(hpa, now), ['x', 'Deployment/web', 'cpu: <unknown>/80%', '1', '5', 0, '2m']);
  const withStatus = { ...hpa, status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } }] } };
  assert.equal(d.tableRow!(withStatus, now)[2], 'cpu: 35%/80%');
  const many = { ...hpa, spec: { ...(hpa.spec as object), metrics: [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
    { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
    { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
  ] } };
  assert.equal(d.tableRow!(many, now)[2], 'cpu: <unknown>/50%, memory: <unknown>/500Mi + 1 more...');
  assert.deepEqual(msgs(d.validateCreate!({ metadata: meta, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } })), ['spec.maxReplicas|must be greater than or equal to `minReplicas`']);
  assert.deepEqual(msgs(d.validateCreate!({ metadata: meta, spec: { minReplicas: 0, maxReplicas: 2 } })).sort(), ['spec.minReplicas|must be greater than or equal to 1', 'spec.scaleTargetRef.kind|', 'spec.scaleTargetRef.name|']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantityValue } from './quantity.js';
import { isApiError } from '../../lib/errors.js';
import { podNonZeroRequests, podRequests } from './resources.js';
import { makePod } from './testing.js';

test('quantities: cpu in millicores, memory in bytes, rounding up like Kubernetes', () => {
  assert.equal(quantityValue('500m', true), 500);
  assert.equal(quantityValue('1.5', true), 1500);
  assert.equal(quantityValue('0.1', true), 100);
  assert.equal(quantityValue(2, true), 2000);
  assert.equal(quantityValue('128Mi'), 128 * 1024 * 1024);
  assert.equal(quantityValue('1G'), 1e9);
  assert.equal(quantityValue('2e3'), 2000);
  assert.equal(quantityValue('1m'), 1); // 0.001 bytes rounds up to 1
  assert.throws(() => quantityValue('12zz'), (e) => isApiError(e, 'BadRequest') && /quantities must match/.test((e as Error).message));
});

test('pod requests: containers summed, init containers maxed, limits stand in for missing requests', () => {
  const pod = makePod('p', { cpu: '250m', memory: '64Mi' });
  pod.spec.containers.push({ name: 'b', resources: { limits: { cpu: '1', memory: '1Gi' } } });
  pod.spec.initContainers = [{ name: 'init', resources: { requests: { cpu: '2' } } }];
  const r = podRequests(pod);
  assert.equal(r.milliCPU, 2000);
  assert.equal(r.memory, 64 * 2 ** 20 + 2 ** 30);
  const nz = podNonZeroRequests(makePod('empty'));
  assert.deepEqual(nz, { milliCPU: 100, memory: 200 * 2 ** 20 });
});

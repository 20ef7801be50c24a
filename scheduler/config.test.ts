import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedulerConfig } from './config.js';
import { defaultProfile, inTreeRegistry } from './plugins/index.js';

const reg = inTreeRegistry();
const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

test('no profiles: the default profile; leaderElection passes through', () => {
  const c = parseSchedulerConfig(`${HEAD}leaderElection: {leaderElect: true, resourceName: my-lock}\n`, reg);
  assert.deepEqual(c.profiles, [defaultProfile()]);
  assert.deepEqual(c.leaderElection, { leaderElect: true, resourceName: 'my-lock' });
});

test('profiles assemble plugins: disable all scores, re-weight one, multiPoint removes from both lists', () => {
  const c = parseSchedulerConfig(`${HEAD}profiles:
- schedulerName: default-scheduler
  plugins:
    score:
      enabled: [{name: NodeResourcesFit, weight: 5}]
- schedulerName: no-scoring
  plugins:
    preScore: {disabled: [{name: '*'}]}
    score: {disabled: [{name: '*'}]}
- schedulerName: ignore-taints
  plugins:
    multiPoint: {disabled: [{name: TaintToleration}]}
`, reg);
  assert.deepEqual(c.profiles.map((p) => p.schedulerName), ['default-scheduler', 'no-scoring', 'ignore-taints']);
  assert.equal(c.profiles[0].scores.find((s) => s.name === 'NodeResourcesFit')?.weight, 5);
  assert.deepEqual(c.profiles[1].scores, []);
  assert.deepEqual(c.profiles[1].filters, defaultProfile().filters);
  assert.ok(!c.profiles[2].filters.includes('TaintToleration'));
  assert.ok(!c.profiles[2].scores.some((s) => s.name === 'TaintToleration'));
});

test('bad configurations are refused with the field named', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => parseSchedulerConfig(text, reg), re);
  bad('apiVersion: v1\nkind: KubeSchedulerConfiguration\n', /apiVersion: Unsupported value: "v1"/);
  bad(`${HEAD}profiles: [{schedulerName: a}, {schedulerName: a}]\n`, /profiles\[1\]\.schedulerName: Duplicate value: "a"/);
  bad(`${HEAD}profiles: [{plugins: {filter: {enabled: [{name: Nope}]}}}]\n`, /profiles\[0\]\.plugins\.filter\.enabled\[0\]: plugin "Nope" is not registered/);
  bad(`${HEAD}profiles: [{plugins: {filter: {enabled: [{name: NodeResourcesBalancedAllocation}]}}}]\n`, /has no Filter extension point/);
  bad(`${HEAD}profiles: [{plugins: {permit: {enabled: [{name: NodeName}]}}}]\n`, /plugins\.permit: extension point not supported/);
  bad(`${HEAD}profiles: [{plugins: {score: {enabled: [{name: NodeAffinity, weight: 1000}]}}}]\n`, /weight: Invalid value: 1000/);
});

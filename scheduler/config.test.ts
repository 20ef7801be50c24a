import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedulerConfig } from './config.js';
import { defaultProfile, inTreeRegistry } from './plugins/index.js';
import { schedulePod } from './framework/cycle.js';
import { Framework } from './framework/registry.js';
import { Snapshot } from './framework/snapshot.js';
import { makeNode, makePod } from './framework/testing.js';

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

test('pluginConfig: NodeResourcesFit MostAllocated packs pods onto the fuller node; bad args are refused', () => {
  const c = parseSchedulerConfig(`${HEAD}profiles:
- schedulerName: bin-packing
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}, {name: SelectorSpread}]
`, reg);
  assert.deepEqual(c.profiles[0].pluginConfig, { NodeResourcesFit: { scoringStrategy: { type: 'MostAllocated' } } });
  const snap = Snapshot.from([makeNode('empty'), makeNode('busy')], [makePod('x', { nodeName: 'busy', cpu: '2', memory: '4Gi' })]);
  const pod = makePod('p', { cpu: '500m', memory: '512Mi' });
  assert.equal(schedulePod(new Framework(reg, c.profiles[0]), pod, snap).nodeName, 'busy');
  assert.equal(schedulePod(new Framework(reg, defaultProfile()), pod, snap).nodeName, 'empty');
  assert.throws(() => parseSchedulerConfig(`${HEAD}profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Random}}}]}]\n`, reg),
    /profiles\[0\]\.pluginConfig\[0\]\.args: NodeResourcesFit args: scoringStrategy\.type: Unsupported value: "Random"/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod, scoreAll } from '../framework/testing.js';
import type { PodAffinityTerm } from '../framework/types.js';
import { InterPodAffinity } from './inter-pod-affinity.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const nodes = () => [
  makeNode('a1', { labels: { [ZONE]: 'a' } }), makeNode('a2', { labels: { [ZONE]: 'a' } }), makeNode('b1', { labels: { [ZONE]: 'b' } }),
];
const term = (app: string, topologyKey: string): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });

test('required pod affinity: only nodes in the zone of a matching pod pass; the reason is Kubernetes\'', () => {
  const snap = Snapshot.from(nodes(), [makePod('cache', { nodeName: 'a2', labels: { app: 'cache' } })]);
  const web = makePod('web', { labels: { app: 'web' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', ZONE)] } } });
  assert.deepEqual(filterAll(new InterPodAffinity(), web, snap), {
    a1: 'passed', a2: 'passed', b1: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules",
  });
  const otherNs = makePod('cache2', { nodeName: 'b1', labels: { app: 'cache' }, namespace: 'other' });
  snap.upsertPod(otherNs);
  assert.match(filterAll(new InterPodAffinity(), web, snap).b1, /pod affinity rules/);
});

test('required pod affinity: the first pod of a self-affine group may go anywhere', () => {
  const first = makePod('db-0', { labels: { app: 'db' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } } });
  assert.deepEqual(Object.values(filterAll(new InterPodAffinity(), first, Snapshot.from(nodes(), []))), ['passed', 'passed', 'passed']);
  const notSelf = makePod('x', { labels: { app: 'x' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } } });
  assert.match(filterAll(new InterPodAffinity(), notSelf, Snapshot.from(nodes(), [])).a1, /pod affinity rules/);
});

test('required anti-affinity of the incoming pod, per hostname and per zone', () => {
  const snap = Snapshot.from(nodes(), [makePod('web-0', { nodeName: 'a1', labels: { app: 'web' } })]);
  const byHost = makePod('web-1', { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', HOST)] } } });
  assert.deepEqual(filterAll(new InterPodAffinity(), byHost, snap), { a1: "Unschedulable: node(s) didn't match pod anti-affinity rules", a2: 'passed', b1: 'passed' });
  const byZone = makePod('web-2', { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', ZONE)] } } });
  assert.deepEqual(filterAll(new InterPodAffinity(), byZone, snap), { a1: "Unschedulable: node(s) didn't match pod anti-affinity rules", a2: "Unschedulable: node(s) didn't match pod anti-affinity rules", b1: 'passed' });
});

test("existing pods' anti-affinity keeps matching newcomers out of their topology domain", () => {
  const loner = makePod('loner', { nodeName: 'b1', labels: { app: 'loner' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('noisy', ZONE)] } } });
  const snap = Snapshot.from(nodes(), [loner]);
  assert.deepEqual(filterAll(new InterPodAffinity(), makePod('n', { labels: { app: 'noisy' } }), snap), {
    a1: 'passed', a2: 'passed', b1: "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules",
  });
  assert.equal(filterAll(new InterPodAffinity(), makePod('q', { labels: { app: 'quiet' } }), snap).b1, 'passed');
});

test('InterPodAffinity score: preferred affinity pulls toward, preferred anti-affinity pushes away, existing pods\' terms count too', () => {
  const snap = Snapshot.from(nodes(), [makePod('cache', { nodeName: 'a1', labels: { app: 'cache' } })]);
  const near = makePod('p', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('cache', ZONE) }] } } });
  assert.deepEqual(scoreAll(new InterPodAffinity(), near, snap), { a1: 100, a2: 100, b1: 0 });
  const away = makePod('q', { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, podAffinityTerm: term('cache', HOST) }] } } });
  assert.deepEqual(scoreAll(new InterPodAffinity(), away, snap), { a1: 0, a2: 100, b1: 100 });
  // Symmetry: an existing pod that requires affinity to app=web draws web pods into its zone.
  snap.upsertPod(makePod('db', { nodeName: 'b1', labels: { app: 'db' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', ZONE)] } } }));
  assert.deepEqual(scoreAll(new InterPodAffinity(), makePod('w', { labels: { app: 'web' } }), snap), { a1: 0, a2: 0, b1: 100 });
  assert.deepEqual(scoreAll(new InterPodAffinity(), makePod('plain', { labels: { app: 'other' } }), snap), { a1: 0, a2: 0, b1: 0 });
});

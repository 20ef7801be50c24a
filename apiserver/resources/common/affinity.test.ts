import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAffinity, validateTopologySpread } from './affinity.js';

const msgs = (errs: { field: string; type: string; message: string }[]) => errs.map((e) => `${e.field}|${e.type}|${e.message}`);
const P = 'spec.affinity';

test('a valid affinity has no errors', () => {
  assert.deepEqual(validateAffinity({
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'cpus', operator: 'Gt', values: ['2'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }],
    },
    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] },
  }, P), []);
});

test('node affinity errors', () => {
  const errs = msgs(validateAffinity({ nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
      { key: 'a', operator: 'Foo' }, { key: 'b', operator: 'In' }, { key: 'c', operator: 'Exists', values: ['x'] }, { key: 'd', operator: 'Gt', values: ['x'] }] }] },
    preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
  } }, P));
  const t = `${P}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions`;
  assert.deepEqual(errs, [
    `${t}[0].operator|FieldValueInvalid|not a valid selector operator`,
    `${t}[1].values|FieldValueRequired|must be specified when \`operator\` is 'In' or 'NotIn'`,
    `${t}[2].values|FieldValueForbidden|may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
    `${t}[3].values[0]|FieldValueInvalid|must be an integer`,
    `${P}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight|FieldValueInvalid|must be in the range 1-100`,
  ]);
  assert.deepEqual(msgs(validateAffinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }, P)),
    [`${P}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms|FieldValueRequired|must have at least one node selector term`]);
});

test('pod affinity needs a topology key', () => {
  assert.deepEqual(msgs(validateAffinity({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } } }] } }, P)),
    [`${P}.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey|FieldValueRequired|can not be empty`]);
});

test('topology spread constraints', () => {
  const S = 'spec.topologySpreadConstraints';
  assert.deepEqual(validateTopologySpread([{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }], S), []);
  assert.deepEqual(msgs(validateTopologySpread([{ maxSkew: 0, whenUnsatisfiable: 'Never' }, { maxSkew: 1, topologyKey: 'z', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 }, { maxSkew: 1, topologyKey: 'z', whenUnsatisfiable: 'ScheduleAnyway' }], S)), [
    `${S}[0].maxSkew|FieldValueInvalid|must be greater than zero`,
    `${S}[0].topologyKey|FieldValueRequired|can not be empty`,
    `${S}[0].whenUnsatisfiable|FieldValueNotSupported|supported values: "DoNotSchedule", "ScheduleAnyway"`,
    `${S}[1].minDomains|FieldValueInvalid|can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
    `${S}[2]|FieldValueDuplicate|`,
  ]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import { invalid } from '../../../lib/errors.js';
import type { KObject } from '../../../lib/api/object.js';
import { STS_UPDATE_FORBIDDEN } from './statefulsets.js';

const defs = builtinResources();
const def = (group: string, resource: string) => defs.find((d) => d.group === group && d.resource === resource)!;
const template = (labels: Record<string, string> = { app: 'web' }, restartPolicy?: string) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }], ...(restartPolicy ? { restartPolicy } : {}) } });
const obj = (spec: object, name = 'web'): KObject => ({ metadata: { name, namespace: 'default', uid: 'u-1' }, spec: structuredClone(spec) });
const defaulted = (g: string, r: string, o: KObject) => { def(g, r).defaults!(o); return o; };
const errs = (g: string, r: string, o: KObject) => def(g, r).validateCreate!(o).map((e) => `${e.field}|${e.type}|${e.message}`);
const spec = (o: KObject) => o.spec as Record<string, any>;

test('deployment defaults', () => {
  const d = defaulted('apps', 'deployments', obj({ selector: { matchLabels: { app: 'web' } }, template: template() }));
  assert.equal(spec(d).replicas, 1);
  assert.deepEqual(spec(d).strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec(d).revisionHistoryLimit, 10);
  assert.equal(spec(d).progressDeadlineSeconds, 600);
  assert.equal(spec(d).template.spec.restartPolicy, 'Always');
  assert.equal(spec(d).template.spec.containers[0].imagePullPolicy, 'Always');
  assert.deepEqual(errs('apps', 'deployments', d), []);
});

test('deployment validation: selector must match template labels (Kubernetes wording)', () => {
  const d = defaulted('apps', 'deployments', obj({ selector: { matchLabels: { app: 'db' } }, template: template() }));
  const e = def('apps', 'deployments').validateCreate!(d);
  assert.deepEqual(e.map((x) => [x.field, x.message]), [['spec.template.metadata.labels', '`selector` does not match template `labels`']]);
  assert.match(invalid('Deployment', 'web', e, 'apps').message, /^Deployment\.apps "web" is invalid: spec\.template\.metadata\.labels: Invalid value: .*: `selector` does not match template `labels`$/);
  assert.deepEqual(errs('apps', 'deployments', defaulted('apps', 'deployments', obj({ template: template() }))), ['spec.selector|FieldValueRequired|']);
  assert.ok(errs('apps', 'deployments', defaulted('apps', 'deployments', obj({ selector: {}, template: template() }))).includes('spec.selector|FieldValueInvalid|empty selector is invalid for deployment'));
  const bad = defaulted('apps', 'deployments', obj({ replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, 'Never'), strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }));
  const e2 = errs('apps', 'deployments', bad);
  assert.ok(e2.includes('spec.replicas|FieldValueInvalid|must be greater than or equal to 0'), e2.join('\n'));
  assert.ok(e2.includes('spec.template.spec.restartPolicy|FieldValueNotSupported|supported values: "Always"'));
  assert.ok(e2.includes('spec.strategy.rollingUpdate.maxUnavailable|FieldValueInvalid|may not be 0 when `maxSurge` is 0'));
  const deadline = defaulted('apps', 'deployments', obj({ selector: { matchLabels: { app: 'web' } }, template: { ...template(), spec: { ...template().spec, activeDeadlineSeconds: 5 } } }));
  assert.deepEqual(errs('apps', 'deployments', deadline), ['spec.template.spec.activeDeadlineSeconds|FieldValueForbidden|activeDeadlineSeconds in ReplicaSet is not Supported']);
  const exprs = defaulted('apps', 'deployments', obj({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }, { key: 'x', operator: 'Bogus' }] }, template: template() }));
  assert.ok(errs('apps', 'deployments', exprs).includes('spec.selector.matchExpressions[1].operator|FieldValueInvalid|not a valid selector operator'));
  const pct = defaulted('apps', 'deployments', obj({ selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { rollingUpdate: { maxSurge: 'lots', maxUnavailable: '120%' } } }));
  const e3 = errs('apps', 'deployments', pct);
  assert.ok(e3.some((x) => x.startsWith("spec.strategy.rollingUpdate.maxSurge|FieldValueInvalid|a valid percent string must be a numeric string followed by an ending '%'")), e3.join('\n'));
  assert.ok(e3.includes('spec.strategy.rollingUpdate.maxUnavailable|FieldValueInvalid|must not be greater than 100%'));
});

test('deployment selector is immutable; template may change', () => {
  const old = defaulted('apps', 'deployments', obj({ selector: { matchLabels: { app: 'web' } }, template: template() }));
  const img = structuredClone(old);
  spec(img).template.spec.containers[0].image = 'nginx:1.25';
  spec(img).replicas = 5;
  assert.deepEqual(def('apps', 'deployments').validateUpdate!(img, old), []);
  const sel = structuredClone(old);
  spec(sel).selector = { matchLabels: { app: 'web', v: '2' } };
  spec(sel).template.metadata.labels.v = '2';
  assert.deepEqual(def('apps', 'deployments').validateUpdate!(sel, old).map((e) => [e.field, e.message]), [['spec.selector', 'field is immutable']]);
});

test('replicaset and replication controller', () => {
  const rs = defaulted('apps', 'replicasets', obj({ selector: { matchLabels: { app: 'web' } }, template: template() }));
  assert.equal(spec(rs).replicas, 1);
  assert.deepEqual(errs('apps', 'replicasets', rs), []);
  assert.deepEqual(def('apps', 'replicasets').fieldValues!({ ...rs, status: { replicas: 3 } }), { 'status.replicas': '3' });
  const rc = defaulted('', 'replicationcontrollers', obj({ template: template({ app: 'kubia' }) }));
  assert.deepEqual(spec(rc).selector, { app: 'kubia' }, 'rc selector defaults to template labels');
  assert.deepEqual(rc.metadata!.labels, { app: 'kubia' });
  assert.deepEqual(errs('', 'replicationcontrollers', rc), []);
  const mismatch = defaulted('', 'replicationcontrollers', obj({ selector: { app: 'x' }, template: template({ app: 'kubia' }) }));
  assert.deepEqual(errs('', 'replicationcontrollers', mismatch), ['spec.template.metadata.labels|FieldValueInvalid|`selector` does not match template `labels`']);
});

test('statefulset defaults, claim templates and forbidden updates', () => {
  const s = defaulted('apps', 'statefulsets', obj({ serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template(),
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }));
  assert.equal(spec(s).podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec(s).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(spec(s).replicas, 1);
  assert.equal(spec(s).revisionHistoryLimit, 10);
  assert.equal(spec(s).volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.deepEqual(errs('apps', 'statefulsets', s), []);
  const scaled = structuredClone(s);
  spec(scaled).replicas = 3;
  spec(scaled).template.spec.containers[0].image = 'nginx:2';
  assert.deepEqual(def('apps', 'statefulsets').validateUpdate!(scaled, s), []);
  const renamed = structuredClone(s);
  spec(renamed).serviceName = 'other';
  assert.deepEqual(def('apps', 'statefulsets').validateUpdate!(renamed, s).map((e) => [e.field, e.type, e.message]), [['spec', 'FieldValueForbidden', STS_UPDATE_FORBIDDEN]]);
  const noStorage = defaulted('apps', 'statefulsets', obj({ selector: { matchLabels: { app: 'web' } }, template: template(), volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: {} }] }));
  assert.deepEqual(errs('apps', 'statefulsets', noStorage), ['spec.volumeClaimTemplates[0].spec.accessModes|FieldValueRequired|at least 1 access mode is required', 'spec.volumeClaimTemplates[0].spec.resources[storage]|FieldValueRequired|']);
});

test('daemonset defaults and validation', () => {
  const d = defaulted('apps', 'daemonsets', obj({ selector: { matchLabels: { app: 'web' } }, template: template() }));
  assert.deepEqual(spec(d).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.deepEqual(errs('apps', 'daemonsets', d), []);
  const e = errs('apps', 'daemonsets', defaulted('apps', 'daemonsets', obj({ selector: {}, template: template() })));
  assert.ok(e.includes('spec.selector|FieldValueInvalid|empty selector is invalid for daemonset'), e.join('\n'));
});

test('job defaults, restart policy, generated selector', () => {
  const j = defaulted('batch', 'jobs', obj({ template: template({}, 'Never') }, 'pi'));
  assert.equal(spec(j).completions, 1);
  assert.equal(spec(j).parallelism, 1);
  assert.equal(spec(j).backoffLimit, 6);
  assert.equal(spec(j).completionMode, 'NonIndexed');
  assert.equal(spec(j).suspend, false);
  assert.deepEqual(errs('batch', 'jobs', j), []);
  assert.deepEqual(spec(j).selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.equal(spec(j).template.metadata.labels['job-name'], 'pi');
  assert.equal(spec(j).template.metadata.labels['batch.kubernetes.io/job-name'], 'pi');
  assert.equal(spec(j).template.metadata.labels['controller-uid'], 'u-1');
  const always = defaulted('batch', 'jobs', obj({ template: template({}) }, 'pi'));
  assert.deepEqual(errs('batch', 'jobs', always), ['spec.template.spec.restartPolicy|FieldValueNotSupported|supported values: "OnFailure", "Never"']);
  const queue = defaulted('batch', 'jobs', obj({ parallelism: 3, template: template({}, 'OnFailure') }, 'q'));
  assert.equal(spec(queue).completions, undefined, 'work-queue job keeps completions unset');
  assert.deepEqual(def('batch', 'jobs').fieldValues!({ ...j, status: { succeeded: 1 } }), { 'status.successful': '1' });
});

test('job template is immutable', () => {
  const j = defaulted('batch', 'jobs', obj({ template: template({}, 'Never') }, 'pi'));
  def('batch', 'jobs').validateCreate!(j);
  const changed = structuredClone(j);
  spec(changed).template.spec.containers[0].image = 'perl';
  assert.deepEqual(def('batch', 'jobs').validateUpdate!(changed, j).map((e) => [e.field, e.message]), [['spec.template', 'field is immutable']]);
});

test('cronjob defaults and validation', () => {
  const c = defaulted('batch', 'cronjobs', obj({ schedule: '*/1 * * * *', jobTemplate: { spec: { template: template({}, 'OnFailure') } } }, 'hello'));
  assert.equal(spec(c).concurrencyPolicy, 'Allow');
  assert.equal(spec(c).suspend, false);
  assert.equal(spec(c).successfulJobsHistoryLimit, 3);
  assert.equal(spec(c).failedJobsHistoryLimit, 1);
  assert.equal(spec(c).jobTemplate.spec.backoffLimit, 6);
  assert.deepEqual(errs('batch', 'cronjobs', c), []);
  const bad = structuredClone(c);
  spec(bad).schedule = 'every minute';
  spec(bad).timeZone = 'Mars/Base';
  spec(bad).concurrencyPolicy = 'Sometimes';
  const e = errs('batch', 'cronjobs', bad);
  assert.ok(e.includes('spec.schedule|FieldValueInvalid|expected exactly 5 fields, found 2: every minute'), e.join('\n'));
  assert.ok(e.includes('spec.timeZone|FieldValueInvalid|unknown time zone Mars/Base'));
  assert.ok(e.includes('spec.concurrencyPolicy|FieldValueNotSupported|supported values: "Allow", "Forbid", "Replace"'));
  const range = structuredClone(c);
  spec(range).schedule = '61 * * * *';
  assert.equal(errs('batch', 'cronjobs', range).length, 1);
  const hourly = structuredClone(c);
  spec(hourly).schedule = '@hourly';
  spec(hourly).timeZone = 'Europe/Berlin';
  assert.deepEqual(errs('batch', 'cronjobs', hourly), []);
  const long = obj(spec(c), 'x'.repeat(53));
  assert.ok(errs('batch', 'cronjobs', long).includes('metadata.name|FieldValueInvalid|must be no more than 52 characters'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCreate, applyPatch, patchTypeFromContentType, updateManagedFields } from './index.js';
import { ApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import { fieldSetOf, toFieldsV1 } from './fieldpath.js';
import { schemaForKind } from './strategies.js';

const opts = (fieldManager: string, extra: Record<string, unknown> = {}) => ({ kind: 'Deployment', apiVersion: 'apps/v1', fieldManager, ...extra });

function config(extra: { replicas?: number; labels?: Record<string, string>; containers?: unknown[] } = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', labels: extra.labels ?? { app: 'web' } },
    spec: {
      replicas: extra.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: extra.containers ?? [{ name: 'nginx', image: 'nginx:1.24', ports: [{ containerPort: 80 }] }] } },
    },
  };
}

/** What the registry does around applyCreate: server metadata (ignored by field sets). */
function created(obj: KObject): KObject {
  return { ...obj, metadata: { ...obj.metadata, namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-11-22T10:00:00Z' } };
}

const managed = (o: KObject) => o.metadata!.managedFields as any[];
const spec = (o: KObject) => o.spec as any;

function expectApiError(fn: () => unknown, code: string, re?: RegExp): ApiError {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  assert.ok(caught instanceof ApiError, `expected ApiError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (re) assert.match(caught.message, re);
  return caught;
}

test('patchTypeFromContentType maps the four PATCH content types', () => {
  assert.equal(patchTypeFromContentType('application/json-patch+json'), 'json');
  assert.equal(patchTypeFromContentType('application/merge-patch+json; charset=utf-8'), 'merge');
  assert.equal(patchTypeFromContentType('application/strategic-merge-patch+json'), 'strategic');
  assert.equal(patchTypeFromContentType('application/apply-patch+yaml'), 'apply');
  assert.equal(patchTypeFromContentType('application/json'), undefined);
});

test('applyCreate records an Apply entry in FieldsV1 encoding', () => {
  const obj = applyCreate(config(), { ...opts('kubectl'), name: 'web', namespace: 'default' });
  assert.equal(obj.metadata!.namespace, 'default');
  const [entry] = managed(obj);
  assert.equal(entry.manager, 'kubectl');
  assert.equal(entry.operation, 'Apply');
  assert.equal(entry.apiVersion, 'apps/v1');
  assert.equal(entry.fieldsType, 'FieldsV1');
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(entry.fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': {
          '.': {}, 'f:name': {}, 'f:image': {},
          'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
        } } },
      },
    },
  });
});

test('re-apply by the same manager changes values without conflict', () => {
  const live = created(applyCreate(config(), opts('kubectl')));
  const out = applyPatch('apply', live, config({ replicas: 5 }), opts('kubectl'));
  assert.equal(spec(out).replicas, 5);
  assert.equal(managed(out).length, 1);
  assert.equal(out.metadata!.uid, 'u1', 'server metadata kept');
  assert.equal(live.spec && spec(live).replicas, 2, 'input untouched');
});

test('conflict with another manager: 409 with Kubernetes wording; force moves ownership', () => {
  const live = created(applyCreate(config(), opts('alice')));
  const err = expectApiError(() => applyPatch('apply', live, config({ replicas: 3 }), opts('bob')), 'Conflict',
    /^Apply failed with 1 conflict: conflict with "alice" using apps\/v1: \.spec\.replicas$/);
  assert.deepEqual(err.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice" using apps/v1', field: '.spec.replicas' }]);
  assert.equal(err.httpStatus, 409);

  const forced = applyPatch('apply', live, config({ replicas: 3 }), opts('bob', { force: true }));
  assert.equal(spec(forced).replicas, 3);
  const alice = managed(forced).find((e) => e.manager === 'alice');
  const bob = managed(forced).find((e) => e.manager === 'bob');
  assert.equal(alice.fieldsV1['f:spec']['f:replicas'], undefined, 'alice lost .spec.replicas');
  assert.deepEqual(bob.fieldsV1['f:spec']['f:replicas'], {});
  assert.deepEqual(alice.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:image'], {}, 'alice keeps the rest');
});

test('several conflicts are grouped by manager, one line per field', () => {
  const live = created(applyCreate(config(), opts('alice')));
  const err = expectApiError(() => applyPatch('apply', live, config({ replicas: 9, containers: [{ name: 'nginx', image: 'nginx:2' }] }), opts('bob')), 'Conflict');
  assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "alice" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
});

test('same value from another manager is shared ownership, not a conflict', () => {
  const live = created(applyCreate(config(), opts('alice')));
  const shared = applyPatch('apply', live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, opts('bob'));
  assert.equal(managed(shared).length, 2);
  // alice stops applying replicas: bob still owns it, so the value stays
  const cfg = config();
  delete (cfg.spec as any).replicas;
  const out = applyPatch('apply', shared, cfg, opts('alice'));
  assert.equal(spec(out).replicas, 2);
});

test('fields the manager stops applying are removed (labels, containers), others\' fields stay', () => {
  let live = created(applyCreate(config({ labels: { app: 'web', tier: 'fe' } }), opts('alice')));
  live = applyPatch('apply', live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { team: 'x' } },
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } }, opts('bob'));
  assert.deepEqual(spec(live).template.spec.containers.map((c: any) => c.name), ['nginx', 'sidecar']);
  const out = applyPatch('apply', live, config({ labels: { app: 'web' }, containers: [{ name: 'nginx', image: 'nginx:1.24' }] }), opts('alice'));
  assert.deepEqual(out.metadata!.labels, { app: 'web', team: 'x' });
  assert.deepEqual(spec(out).template.spec.containers, [{ name: 'nginx', image: 'nginx:1.24' }, { name: 'sidecar', image: 'busybox' }], 'ports removed, sidecar kept');
  const out2 = applyPatch('apply', out, config({ containers: [{ name: 'web2', image: 'x' }] }), opts('alice'));
  assert.deepEqual(spec(out2).template.spec.containers.map((c: any) => c.name), ['sidecar', 'web2'], 'nginx removed as an item');
});

test('Update ownership (scale subresource) conflicts with a later apply', () => {
  const live = created(applyCreate(config(), opts('kubectl')));
  const scaled = updateManagedFields(live, { ...live, spec: { ...spec(live), replicas: 4 } }, 'kube-controller-manager', 'Update', 'apps/v1', 'scale');
  const entries = managed(scaled);
  const kcm = entries.find((e) => e.manager === 'kube-controller-manager');
  assert.equal(kcm.operation, 'Update');
  assert.equal(kcm.subresource, 'scale');
  assert.deepEqual(kcm.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(entries.find((e) => e.manager === 'kubectl').fieldsV1['f:spec']['f:replicas'], undefined, 'an Update takes the field');
  expectApiError(() => applyPatch('apply', scaled, config({ replicas: 2 }), opts('kubectl')), 'Conflict',
    /conflict with "kube-controller-manager" with subresource "scale" using apps\/v1: \.spec\.replicas/);
});

test('updateManagedFields: create owns everything, removed fields leave every set, [{}] resets', () => {
  const obj = created(config());
  const first = updateManagedFields(undefined, obj, 'kubectl-create', 'Update', 'apps/v1');
  assert.deepEqual(managed(first).map((e) => [e.manager, e.operation]), [['kubectl-create', 'Update']]);
  assert.deepEqual(managed(first)[0].fieldsV1['f:spec']['f:replicas'], {});
  const noLabels = structuredClone(first);
  delete noLabels.metadata!.labels;
  const second = updateManagedFields(first, noLabels, 'kubectl-edit', 'Update', 'apps/v1');
  assert.equal(managed(second).length, 1, 'no entry for a writer that only removed');
  assert.equal(managed(second)[0].fieldsV1['f:metadata'], undefined);
  const reset = updateManagedFields(second, { ...second, metadata: { ...second.metadata, managedFields: [{}] } }, 'x', 'Update', 'apps/v1');
  assert.equal(reset.metadata!.managedFields, undefined);
  const same = updateManagedFields(first, structuredClone(first), 'noop', 'Update', 'apps/v1');
  assert.deepEqual(managed(same), managed(first), 'unchanged write adds nothing');
});

test('main-resource apply ignores status; status apply touches only status', () => {
  const live = created({ ...applyCreate(config(), opts('kubectl')), status: { replicas: 1 } });
  const cfg = { ...config(), status: { replicas: 99 } };
  const out = applyPatch('apply', live, cfg, opts('kubectl'));
  assert.deepEqual(out.status, { replicas: 1 });
  const st = applyPatch('apply', live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 7 }, status: { readyReplicas: 1 } }, opts('ctrl', { subresource: 'status' }));
  assert.deepEqual(st.status, { replicas: 1, readyReplicas: 1 });
  assert.equal(spec(st).replicas, 2);
  assert.equal(managed(st).find((e) => e.manager === 'ctrl').subresource, 'status');
});

test('apply errors: no field manager, wrong kind, name mismatch, managedFields in body, not an object', () => {
  const live = created(applyCreate(config(), opts('kubectl')));
  expectApiError(() => applyPatch('apply', live, config(), { kind: 'Deployment', apiVersion: 'apps/v1' }), 'BadRequest', /fieldManager/);
  expectApiError(() => applyPatch('apply', live, { ...config(), kind: 'Pod' }, opts('k')), 'BadRequest', /kind/);
  expectApiError(() => applyPatch('apply', live, { ...config(), metadata: { name: 'other' } }, opts('k')), 'BadRequest', /does not match the name/);
  expectApiError(() => applyPatch('apply', live, { ...config(), metadata: { name: 'web', managedFields: [] } }, opts('k')), 'BadRequest', /managedFields must be nil/);
  expectApiError(() => applyPatch('apply', live, 'spec: x', opts('k')), 'BadRequest');
  expectApiError(() => applyPatch('merge', live, {}, opts('k', { force: true })), 'BadRequest', /force/);
});

test('service ports are keyed by port+protocol for apply; atomic lists are replaced', () => {
  const svc: KObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }], externalIPs: ['1.2.3.4'] } };
  const o = { kind: 'Service', apiVersion: 'v1' };
  const live = created(applyCreate(svc, { ...o, fieldManager: 'a' }));
  const out = applyPatch('apply', live, { ...svc, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP' }], externalIPs: ['5.6.7.8'] } }, { ...o, fieldManager: 'a' });
  assert.deepEqual((out.spec as any).ports, [{ port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP' }]);
  assert.deepEqual((out.spec as any).externalIPs, ['5.6.7.8']);
  assert.ok('k:{"port":53,"protocol":"UDP"}' in managed(out)[0].fieldsV1['f:spec']['f:ports']);
});

test('an Update that changes one label takes that label, not the labels map or the container item', () => {
  const live = created(applyCreate(config(), opts('kubectl')));
  const next = structuredClone(live) as any;
  next.metadata.labels.tier = 'fe';
  next.spec.template.spec.containers[0].image = 'nginx:2';
  const out = updateManagedFields(live, next, 'kubectl-edit', 'Update', 'apps/v1');
  const edit = managed(out).find((e) => e.manager === 'kubectl-edit');
  assert.deepEqual(edit.fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:tier': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } } } },
  });
  const kubectl = managed(out).find((e) => e.manager === 'kubectl');
  assert.deepEqual(kubectl.fieldsV1['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } }, 'the applier keeps the labels map');
});

test('an object without managedFields: its fields belong to "before-first-apply"', () => {
  const live = created(config({ replicas: 3 }));
  expectApiError(() => applyPatch('apply', live, config({ replicas: 5 }), opts('kubectl')), 'Conflict',
    /^Apply failed with 1 conflict: conflict with "before-first-apply" using apps\/v1: \.spec\.replicas$/);
  const same = applyPatch('apply', live, config({ replicas: 3 }), opts('kubectl'));
  assert.deepEqual(managed(same).map((e) => e.manager), ['before-first-apply', 'kubectl']);
  const forced = applyPatch('apply', live, config({ replicas: 5 }), opts('kubectl', { force: true }));
  assert.equal(spec(forced).replicas, 5);
});

test('manager "kubectl" after client-side apply: conflicts on last-applied fields are forced', () => {
  const cfg = config({ replicas: 2 });
  const csa = { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fieldSetOf(cfg, schemaForKind('Deployment'))) };
  const live = created({ ...cfg, metadata: { ...cfg.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(cfg) }, managedFields: [csa] } });
  const out = applyPatch('apply', live, config({ replicas: 6 }), opts('kubectl'));
  assert.equal(spec(out).replicas, 6);
  const last = JSON.parse(out.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration']);
  assert.equal(last.spec.replicas, 6, 'last-applied follows the server-side apply');
  expectApiError(() => applyPatch('apply', live, config({ replicas: 6 }), opts('someone-else')), 'Conflict', /kubectl-client-side-apply/);
});

test('more than 10 Update managers: the oldest fold into "ancient-changes"', () => {
  let obj: KObject = created(config());
  for (let i = 0; i < 12; i++) {
    const next = structuredClone(obj);
    next.metadata!.labels = { ...next.metadata!.labels, [`l${i}`]: 'x' };
    obj = updateManagedFields(obj, next, `writer-${i}`, 'Update', 'apps/v1');
  }
  const names = managed(obj).map((e) => e.manager);
  assert.equal(names.length, 10);
  assert.ok(names.includes('ancient-changes'));
  const ancient = managed(obj).find((e) => e.manager === 'ancient-changes');
  assert.ok(Object.keys(ancient.fieldsV1['f:metadata']['f:labels']).length >= 2, 'folded fields kept');
});

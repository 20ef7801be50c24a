import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../resources/index.js';
import { openApiV3Document, openApiV3Index } from './v3.js';

type Doc = { paths: Record<string, { patch?: { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': unknown } }>; components: { schemas: Record<string, any> } };

test('group/version documents carry PATCH operations with fieldValidation per kind (kubectl checks these)', () => {
  const doc = openApiV3Document(builtinResources(), 'apps', 'v1') as Doc;
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch!;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(patch.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.equal(openApiV3Document(builtinResources(), 'nope', 'v1'), undefined);
  const index = openApiV3Index(builtinResources()) as { paths: Record<string, { serverRelativeURL: string }> };
  assert.match(index.paths['api/v1'].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
});

test('kind schemas list modelled fields and strategic-merge keys of lists', () => {
  const doc = openApiV3Document(builtinResources(), '', 'v1') as Doc;
  const schemas = doc.components.schemas;
  const pod = Object.values(schemas).find((s) => s['x-kubernetes-group-version-kind']?.[0]?.kind === 'Pod');
  assert.ok(pod.properties.spec, 'Pod has spec');
  const podSpec = schemas['io.k8s.kubesim.PodSpec'];
  assert.equal(podSpec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(podSpec.properties.containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(podSpec.properties.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  const container = schemas['io.k8s.kubesim.Container'];
  assert.equal(container.properties.image.type, 'string');
  assert.equal(container.properties.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(schemas['io.k8s.kubesim.ContainerPort'].properties.containerPort, { type: 'integer', format: 'int32' });
  for (const [name, s] of Object.entries(schemas)) {
    for (const [field, p] of Object.entries((s.properties ?? {}) as Record<string, any>)) {
      const ref = p.allOf?.[0]?.$ref ?? p.items?.allOf?.[0]?.$ref ?? p.additionalProperties?.allOf?.[0]?.$ref;
      if (ref) assert.ok(schemas[ref.replace('#/components/schemas/', '')], `${name}.${field} refers to a defined schema`);
    }
  }
});

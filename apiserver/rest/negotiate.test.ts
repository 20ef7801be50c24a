import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateRepresentation, wantsAggregatedDiscovery } from './negotiate.js';

test('kubectl get asks for a Table first; plain JSON clients get objects', () => {
  const kubectl = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  assert.deepEqual(negotiateRepresentation(kubectl), { as: 'Table', version: 'v1' });
  assert.deepEqual(negotiateRepresentation('application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json'), { as: 'Table', version: 'v1beta1' });
  assert.deepEqual(negotiateRepresentation('application/json'), { as: 'object' });
  assert.deepEqual(negotiateRepresentation(undefined), { as: 'object' });
  assert.deepEqual(negotiateRepresentation('application/json;as=Table;v=v9;g=meta.k8s.io,application/json'), { as: 'object' });
  assert.deepEqual(negotiateRepresentation('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'), { as: 'PartialObjectMetadata', version: 'v1' });
});

test('aggregated discovery is chosen only when listed before plain JSON', () => {
  assert.equal(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2');
  assert.equal(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
  assert.equal(wantsAggregatedDiscovery('application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), undefined);
  assert.equal(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList'), undefined);
});

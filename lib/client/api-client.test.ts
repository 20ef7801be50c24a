import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRegistry, expectApiError } from '../../apiserver/registry/testing.js';
import { startGrpcServer } from '../../apiserver/grpc/server.js';
import { freePort } from '../testing/ports.js';
import { ApiClient } from './api-client.js';

test('waitForReady waits for an apiserver that starts later, and times out with Unavailable when none comes', async (t) => {
  const tr = await startTestRegistry();
  t.after(() => tr.stop());
  const port = await freePort();
  const client = ApiClient.connect(`127.0.0.1:${port}`);
  t.after(() => client.close());
  await expectApiError(client.list({ resource: 'pods' }), 'Unavailable');
  await expectApiError(client.waitForReady(300), 'Unavailable', /not reachable within 300 ms/);

  const ready = client.waitForReady(10_000);
  const srv = await startGrpcServer({ registry: tr.reg, host: '127.0.0.1', port });
  t.after(() => srv.close());
  await ready;
  assert.ok((await client.list({ resource: 'namespaces' })).items.some((n) => n.metadata?.name === 'default'));
});

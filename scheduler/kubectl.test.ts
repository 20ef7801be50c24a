import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlBinaries, kubectlOk, startCluster } from '../test/apiserver/harness.js';
import { ApiClient } from '../lib/client/api-client.js';
import { waitFor } from '../lib/testing/wait.js';
import { registerNode } from './testing-api.js';
import { makeNode } from './framework/testing.js';
import { startScheduler } from './run.js';

const podYaml = (name: string, cpu: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: "${cpu}"}}}]
`;

test('what users see with the real kubectl: node, Events with From default-scheduler, the FailedScheduling wording', async (t) => {
  const c = await startCluster();
  const client = ApiClient.connect(`127.0.0.1:${c.grpcPort}`);
  const ac = new AbortController();
  let done: Promise<void> | undefined;
  t.after(async () => { ac.abort(); await done; client.close(); await c.stop(); });
  for (const name of ['node-1', 'node-2']) await registerNode(client, makeNode(name, { cpu: '2' }));
  done = (await startScheduler(client, ac.signal)).done;
  const [kubectl] = kubectlBinaries();
  await kubectlOk(kubectl, c, ['apply', '-f', '-'], podYaml('web-0', '500m'));
  await kubectlOk(kubectl, c, ['apply', '-f', '-'], podYaml('huge', '16'));

  const node = await waitFor('web-0 scheduled', async () => (await kubectlOk(kubectl, c, ['get', 'pod', 'web-0', '-o', 'jsonpath={.spec.nodeName}'])).trim());
  const describeWeb = await waitFor('Scheduled event in describe', async () => {
    const out = await kubectlOk(kubectl, c, ['describe', 'pod', 'web-0']);
    return out.includes('Scheduled') ? out : undefined;
  });
  assert.match(describeWeb, new RegExp(`Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/web-0 to ${node}`));

  const describeHuge = await waitFor('FailedScheduling in describe', async () => {
    const out = await kubectlOk(kubectl, c, ['describe', 'pod', 'huge']);
    return out.includes('FailedScheduling') ? out : undefined;
  });
  assert.match(describeHuge, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/2 nodes are available: 2 Insufficient cpu\. preemption: 0\/2 nodes are available: 2 No preemption victims found for incoming pod\.\./);
  assert.match(describeHuge, /PodScheduled\s+False/);
  assert.match(await kubectlOk(kubectl, c, ['get', 'pod', 'huge']), /huge\s+0\/1\s+Pending/);
});

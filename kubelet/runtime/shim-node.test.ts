import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../lib/testing/wait.js';
import { startRuntimeHarness, type RuntimeHarness } from '../testing/runtime-harness.js';

let h: RuntimeHarness;
// A slim node: no Perl and no cgroups (e.g. a container without cgroup access).
before(async () => { h = await startRuntimeHarness(37, { shim: 'node', cgroups: false }); });
after(async () => { await h?.cleanup(); });

test('the JavaScript shim (nodes without Perl) logs in CRI format, records exit codes and supports stop; without cgroups containers still run', async () => {
  const pod = await h.runPod('js');
  const done = await h.startContainer(pod, { metadata: { name: 'a' }, image: { image: 'busybox' }, command: ['sh', '-c', 'echo out; echo err >&2; printf tail; exit 3'] });
  const s = await waitFor('exit', async () => { const x = await h.status(done); return x.state === 2 && x; });
  assert.deepEqual([s.exit_code, s.reason], [3, 'Error']);
  const log = readFileSync(s.log_path, 'utf8');
  assert.match(log, /^\d{4}-\d\d-\d\dT[\d:]+\.\d{9}Z stdout F out$/m);
  assert.match(log, / stderr F err$/m);
  assert.match(log, / stdout F tail$/m);
  const long = await h.startContainer(pod, { metadata: { name: 'b' }, image: { image: 'busybox' }, command: ['sleep', '60'] });
  assert.equal((await h.status(long)).state, 1);
  assert.equal((await h.cri.call('ContainerStats', { container_id: long })).stats.memory.usage_bytes.value, 0);
  await h.cri.call('StopContainer', { container_id: long, timeout: 2 });
  assert.equal((await h.status(long)).exit_code, 143);
  await h.cri.call('RemovePodSandbox', { pod_sandbox_id: pod.id });
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/testing/wait.js';
import { startRuntimeHarness, type RuntimeHarness } from '../testing/runtime-harness.js';

const EXITED = 2;
let h: RuntimeHarness;
before(async () => { h = await startRuntimeHarness(47); });
after(async () => { await h?.cleanup(); });

/** `ps -e` inside a container: [pid, command] rows. */
async function ps(cid: string): Promise<Array<[number, string]>> {
  const r = await h.cri.call('ExecSync', { container_id: cid, cmd: ['ps', '-e', '-o', 'pid=,comm='], timeout: 10 });
  assert.equal(r.exit_code, 0, r.stderr.toString());
  return r.stdout.toString().trim().split('\n').map((l: string) => { const [pid, comm] = l.trim().split(/\s+/); return [Number(pid), comm] as [number, string]; });
}

test('shareProcessNamespace: the pause process is PID 1 of the pod and the containers see each other; SIGTERM still stops a container with its own exit code', async () => {
  const pod = await h.runPod('shared', { linux: { security_context: { share_process_namespace: true } } });
  const a = await h.startContainer(pod, { metadata: { name: 'a', attempt: 0 }, image: { image: 'busybox' }, command: ['sleep', '3601'] });
  const b = await h.startContainer(pod, { metadata: { name: 'b', attempt: 0 }, image: { image: 'busybox' }, command: ['sh', '-c', 'trap "exit 7" TERM; sleep 3602 & wait'] });
  const seen = await waitFor('both containers in ps', async () => { const rows = await ps(a); return rows.filter(([, c]) => c === 'sleep').length >= 2 && rows; });
  assert.deepEqual(seen.find(([pid]) => pid === 1), [1, 'pause']);
  assert.ok(seen.length < 15, `only the pod's processes: ${JSON.stringify(seen)}`);
  // The exec itself runs in the pod's namespace too: it sees the other container's shell.
  assert.ok((await ps(b)).some(([, c]) => c === 'sh'));
  await h.cri.call('StopContainer', { container_id: b, timeout: 10 });
  const st = await h.status(b);
  assert.deepEqual([st.state, st.exit_code], [EXITED, 7]);
  await h.cri.call('StopContainer', { container_id: a, timeout: 10 });
  assert.equal((await h.status(a)).exit_code, 143);
});

test('without shareProcessNamespace the pod keeps the node\'s PID namespace (unchanged default)', async () => {
  const pod = await h.runPod('plain');
  const a = await h.startContainer(pod, { metadata: { name: 'a', attempt: 0 }, image: { image: 'busybox' }, command: ['sleep', '3603'] });
  const rows = await ps(a);
  assert.ok(!rows.some(([pid, c]) => pid === 1 && c === 'pause'));
  assert.ok(rows.length > 15);
  await h.cri.call('StopContainer', { container_id: a, timeout: 0 });
  await waitFor('stopped', async () => (await h.status(a)).state === EXITED);
});

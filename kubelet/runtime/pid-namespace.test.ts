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

test('without shareProcessNamespace each container has a PID namespace of its own: its command is PID 1, it sees neither the pause process nor the other container; SIGTERM still stops it', async () => {
  const pod = await h.runPod('plain');
  const a = await h.startContainer(pod, { metadata: { name: 'a', attempt: 0 }, image: { image: 'busybox' }, command: ['sleep', '3603'] });
  const b = await h.startContainer(pod, { metadata: { name: 'b', attempt: 0 }, image: { image: 'busybox' }, command: ['sh', '-c', 'trap "exit 9" TERM; sleep 3604 & wait'] });
  const rowsA = await ps(a);
  assert.deepEqual(rowsA.find(([pid]) => pid === 1), [1, 'sleep'], JSON.stringify(rowsA));
  assert.ok(!rowsA.some(([, c]) => c === 'sh' || c === 'pause'), `a sees only its own processes: ${JSON.stringify(rowsA)}`);
  const rowsB = await waitFor('b\'s sleep in ps', async () => { const r = await ps(b); return r.some(([, c]) => c === 'sleep') && r; });
  assert.deepEqual(rowsB.find(([pid]) => pid === 1), [1, 'sh'], JSON.stringify(rowsB));
  assert.ok(rowsB.every(([pid, c]) => c !== 'sleep' || pid !== 1), JSON.stringify(rowsB));
  // /proc/self inside the exec shows the container's numbering too.
  const self = await h.cri.call('ExecSync', { container_id: a, cmd: ['cat', '/proc/1/cmdline'], timeout: 10 });
  assert.equal(self.stdout.toString().split('\0')[0], 'sleep');
  // The kernel spares a namespace's PID 1 the signals it has no handler for; the runtime still ends
  // `sleep` on SIGTERM (143), and a shell that traps TERM gets it (its own exit code).
  await h.cri.call('StopContainer', { container_id: b, timeout: 10 });
  assert.deepEqual([(await h.status(b)).state, (await h.status(b)).exit_code], [EXITED, 9]);
  const t = Date.now();
  await h.cri.call('StopContainer', { container_id: a, timeout: 10 });
  assert.ok(Date.now() - t < 5000, 'SIGTERM, not the SIGKILL after the grace period');
  assert.deepEqual([(await h.status(a)).state, (await h.status(a)).exit_code], [EXITED, 143]);
});

test('pid TARGET (an ephemeral container\'s targetContainerName): the container joins its target\'s PID namespace, as do its execs; an unknown target is refused', async () => {
  const pod = await h.runPod('target');
  const a = await h.startContainer(pod, { metadata: { name: 'a', attempt: 0 }, image: { image: 'busybox' }, command: ['sleep', '3605'] });
  const target = { security_context: { namespace_options: { pid: 3, target_id: a } } };
  const dbg = await h.startContainer(pod, { metadata: { name: 'dbg', attempt: 0 }, image: { image: 'busybox' }, command: ['sleep', '3606'], linux: target });
  const rows = await waitFor('both sleeps in ps', async () => { const r = await ps(dbg); return r.filter(([, c]) => c === 'sleep').length === 2 && r; });
  assert.deepEqual(rows.find(([pid]) => pid === 1), [1, 'sleep'], JSON.stringify(rows));
  const cmdline = await h.cri.call('ExecSync', { container_id: dbg, cmd: ['cat', '/proc/1/cmdline'], timeout: 10 });
  assert.equal(cmdline.stdout.toString().split('\0').join(' ').trim(), 'sleep 3605', 'PID 1 is the target\'s command');
  // The target sees the joined container as well (one namespace).
  assert.equal((await ps(a)).filter(([, c]) => c === 'sleep').length, 2);
  await h.cri.call('StopContainer', { container_id: dbg, timeout: 10 });
  assert.deepEqual([(await h.status(dbg)).state, (await h.status(dbg)).exit_code], [EXITED, 143]);
  assert.equal((await h.status(a)).state, 1, 'the target keeps running');
  await assert.rejects(h.cri.call('CreateContainer', { pod_sandbox_id: pod.id, config: { metadata: { name: 'bad', attempt: 0 }, image: { image: 'busybox' }, command: ['true'], linux: { security_context: { namespace_options: { pid: 3, target_id: 'nope' } } } } }), /target container "nope"/);
  await h.cri.call('StopContainer', { container_id: a, timeout: 10 });
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../lib/testing/wait.js';
import { isApiError } from '../../lib/errors.js';
import { startRuntimeHarness, type RuntimeHarness } from '../testing/runtime-harness.js';

const RUNNING = 1;
const EXITED = 2;
let h: RuntimeHarness;
before(async () => { h = await startRuntimeHarness(31); });
after(async () => { await h?.cleanup(); });




test('a pod sandbox gets a netns, an IP from the node subnet, resolv.conf and hosts; a container runs in it with logs in CRI format', async () => {
  const pod = await h.runPod('web', { dns_config: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] } });
  const st = (await h.cri.call('PodSandboxStatus', { pod_sandbox_id: pod.id })).status;
  assert.equal(st.state, 0);
  assert.ok(st.network.ip.startsWith(h.subnetPrefix), st.network.ip);
  const cid = await h.startContainer(pod, {
    metadata: { name: 'main', attempt: 0 }, image: { image: 'busybox:1.28' },
    command: ['sh', '-c'], args: ['echo hello $FOO; echo oops >&2; cat /etc/resolv.conf; hostname; grep web /etc/hosts; echo data > /written; exec sleep 60'],
    envs: [{ key: 'FOO', value: 'bar' }],
  });
  const s = await h.status(cid);
  assert.equal(s.state, RUNNING);
  assert.ok(s.pid > 0);
  const log = await waitFor('container log', () => { const t = readFileSync(s.log_path, 'utf8'); return /\tweb$/m.test(t) && t; });
  const lines = log.trim().split('\n');
  for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F /);
  assert.match(log, / stdout F hello bar$/m);
  assert.match(log, / stderr F oops$/m);
  assert.match(log, / stdout F nameserver 10\.96\.0\.10$/m);
  assert.match(log, / stdout F search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
  assert.match(log, / stdout F options ndots:5$/m);
  assert.match(log, / stdout F web$/m);
  assert.match(log, new RegExp(` stdout F ${st.network.ip.replace(/\./g, '\\.')}\\tweb$`, 'm'));

  // The container sees the pod's network: its eth0 carries the pod IP.
  const ex = await h.cri.call('ExecSync', { container_id: cid, cmd: ['sh', '-c', 'ip -o -4 addr show dev eth0; echo $FOO; cat /written'], timeout: 10 });
  assert.equal(ex.exit_code, 0, ex.stderr.toString());
  assert.match(ex.stdout.toString(), new RegExp(`inet ${st.network.ip.replace(/\./g, '\\.')}/24`));
  assert.match(ex.stdout.toString(), /^bar$/m);
  assert.match(ex.stdout.toString(), /^data$/m);
  const fail = await h.cri.call('ExecSync', { container_id: cid, cmd: ['sh', '-c', 'exit 7'] });
  assert.equal(fail.exit_code, 7);

  // Stop: SIGTERM ends sleep → 143, reason Error, finished time set.
  await h.cri.call('StopContainer', { container_id: cid, timeout: 5 });
  const stopped = await h.status(cid);
  assert.equal(stopped.state, EXITED);
  assert.equal(stopped.exit_code, 143);
  assert.equal(stopped.reason, 'Error');
  assert.ok(stopped.finished_at >= stopped.started_at && stopped.started_at > 0);

  // A restarted container (attempt 1) starts from a clean root: /written is gone.
  const again = await h.startContainer(pod, { metadata: { name: 'main', attempt: 1 }, image: { image: 'busybox' }, command: ['sh', '-c', 'test -e /written && echo still-there || echo clean'] });
  await waitFor('second attempt exits', async () => (await h.status(again)).state === EXITED);
  const s2 = await h.status(again);
  assert.equal(s2.exit_code, 0);
  assert.equal(s2.reason, 'Completed');
  assert.match(s2.log_path, /main\/1\.log$/);
  assert.match(readFileSync(s2.log_path, 'utf8'), / stdout F clean$/m);

  const listed = (await h.cri.call('ListContainers', { filter: { pod_sandbox_id: pod.id } })).containers;
  assert.equal(listed.length, 2);
  await h.cri.call('StopPodSandbox', { pod_sandbox_id: pod.id });
  assert.equal((await h.cri.call('PodSandboxStatus', { pod_sandbox_id: pod.id })).status.state, 1);
  await h.cri.call('RemovePodSandbox', { pod_sandbox_id: pod.id });
  assert.equal((await h.cri.call('ListContainers', { filter: { pod_sandbox_id: pod.id } })).containers.length, 0);
  await assert.rejects(h.cri.call('PodSandboxStatus', { pod_sandbox_id: pod.id }), (e) => isApiError(e, 'NotFound'));
});

test('a restarted runtime adopts running sandboxes and containers; streaming Exec passes stdin and exit code', async () => {
  const pod = await h.runPod('adopt');
  const cid = await h.startContainer(pod, { metadata: { name: 'app' }, image: { image: 'busybox' }, command: ['sleep', '60'] });
  const pid = (await h.status(cid)).pid;
  await h.restart();
  const sandboxes = (await h.cri.call('ListPodSandbox', { filter: { state: { state: 0 } } })).items;
  assert.ok(sandboxes.some((s: { id: string }) => s.id === pod.id));
  const after = await h.status(cid);
  assert.equal(after.state, RUNNING);
  assert.equal(after.pid, pid);
  const running = (await h.cri.call('ListContainers', { filter: { state: { state: RUNNING } } })).containers;
  assert.deepEqual(running.map((c: { id: string }) => c.id), [cid]);

  const stream = h.cri.exec(cid, ['sh', '-c', 'read line; echo got:$line; echo e >&2; exit 5']);
  let out = '';
  let err = '';
  let code = -1;
  const done = new Promise<void>((resolve, reject) => {
    stream.on('data', (m) => { out += m.stdout?.toString() ?? ''; err += m.stderr?.toString() ?? ''; if (m.exited) code = m.exit_code; });
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  stream.write({ stdin_data: Buffer.from('hi there\n') });
  stream.write({ stdin_close: true });
  stream.end();
  await done;
  assert.equal(out, 'got:hi there\n');
  assert.equal(err, 'e\n');
  assert.equal(code, 5);

  // The adopted container is stopped through the new instance.
  await h.cri.call('StopContainer', { container_id: cid, timeout: 2 });
  assert.equal((await h.status(cid)).state, EXITED);
  await h.cri.call('RemovePodSandbox', { pod_sandbox_id: pod.id });
});

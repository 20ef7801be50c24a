import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../lib/testing/wait.js';
import { startRuntimeHarness, type RuntimeHarness } from '../testing/runtime-harness.js';
import type { CriStream } from './cri-client.js';

const EXITED = 2;
let h: RuntimeHarness;
before(async () => { h = await startRuntimeHarness(44); });
after(async () => { await h?.cleanup(); });

/** Collects a stream's output; `exited` resolves with the exit code. */
function collect(s: CriStream): { out: () => string; exited: Promise<number> } {
  let out = '';
  const exited = new Promise<number>((resolve, reject) => {
    s.on('data', (m) => { out += (m.stdout ?? '').toString() + (m.stderr ?? '').toString(); if (m.exited) resolve(m.exit_code); });
    s.on('error', reject);
  });
  return { out: () => out, exited };
}

test('attach with stdin (no tty): input reaches the container, output comes back live; stdinOnce closes stdin when the client leaves', async () => {
  const pod = await h.runPod('att');
  const cid = await h.startContainer(pod, { metadata: { name: 'cat', attempt: 0 }, image: { image: 'busybox' }, command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo stdin-closed; exit 5'], stdin: true, stdin_once: true });
  const a = h.cri.attach(cid, true);
  const c = collect(a);
  a.write({ stdin_data: Buffer.from('one\n') });
  await waitFor('echo of one', () => c.out().includes('got one\n'));
  a.write({ stdin_data: Buffer.from('two\n') });
  await waitFor('echo of two', () => c.out().includes('got two\n'));
  // Detaching (stdinOnce) ends the container's stdin: the loop ends and the container exits.
  a.end();
  await waitFor('container exited', async () => (await h.status(cid)).state === EXITED);
  const st = await h.status(cid);
  assert.equal(st.exit_code, 5);
  assert.match(readFileSync(st.log_path, 'utf8'), / stdout F got one\n.* stdout F got two\n.* stdout F stdin-closed\n/s);
});

test('attach to a tty container: a shell on a terminal, every resize changes its size, exit ends the stream with the exit code', async () => {
  const pod = await h.runPod('tty');
  const cid = await h.startContainer(pod, { metadata: { name: 'sh', attempt: 0 }, image: { image: 'busybox' }, command: ['sh'], stdin: true, stdin_once: true, tty: true });
  const a = h.cri.attach(cid, true, { cols: 100, rows: 30 });
  const c = collect(a);
  a.write({ stdin_data: Buffer.from('tty; stty size\n') });
  await waitFor('tty and first size', () => /\/dev\/pts\/\d+\r\n30 100\r\n/.test(c.out()));
  for (const [cols, rows] of [[120, 40], [90, 20]]) {
    a.write({ resize_cols: cols, resize_rows: rows });
    a.write({ stdin_data: Buffer.from('stty size\n') });
    await waitFor(`size ${rows} ${cols}`, () => c.out().includes(`${rows} ${cols}\r\n`));
  }
  a.write({ stdin_data: Buffer.from('exit 3\n') });
  assert.equal(await c.exited, 3);
  assert.equal((await h.status(cid)).exit_code, 3);
});

test('exec -t: the terminal follows every resize, not only the first', async () => {
  const pod = await h.runPod('exec');
  const cid = await h.startContainer(pod, { metadata: { name: 'main', attempt: 0 }, image: { image: 'busybox' }, command: ['sleep', '3600'] });
  const e = h.cri.exec(cid, ['sh'], true, { cols: 70, rows: 10 });
  const c = collect(e);
  e.write({ stdin_data: Buffer.from('stty size\n') });
  await waitFor('initial size', () => c.out().includes('10 70\r\n'));
  for (const [cols, rows] of [[132, 43], [81, 25]]) {
    e.write({ resize_cols: cols, resize_rows: rows });
    // The resize and the input travel on different pipes to the terminal's holder: ask until it shows.
    await waitFor(`size ${rows} ${cols}`, () => { e.write({ stdin_data: Buffer.from('stty size\n') }); return c.out().includes(`${rows} ${cols}\r\n`); }, { intervalMs: 200 });
  }
  e.write({ stdin_data: Buffer.from('exit 0\n') });
  assert.equal(await c.exited, 0);
  await h.cri.call('StopContainer', { container_id: cid, timeout: 0 });
});

test('attach to a container that has exited fails with a clear error', async () => {
  const pod = await h.runPod('done');
  const cid = await h.startContainer(pod, { metadata: { name: 'once', attempt: 0 }, image: { image: 'busybox' }, command: ['true'] });
  await waitFor('exited', async () => (await h.status(cid)).state === EXITED);
  const a = h.cri.attach(cid, false);
  await assert.rejects(collect(a).exited, /not running/);
});

test('without Perl (the JavaScript shim) attach still carries stdin and output', async (t) => {
  const js = await startRuntimeHarness(46, { shim: 'node' });
  t.after(() => js.cleanup());
  const pod = await js.runPod('jsatt');
  const cid = await js.startContainer(pod, { metadata: { name: 'cat', attempt: 0 }, image: { image: 'busybox' }, command: ['sh', '-c', 'while read l; do echo "got $l"; done; exit 4'], stdin: true, stdin_once: true });
  const a = js.cri.attach(cid, true);
  const c = collect(a);
  a.write({ stdin_data: Buffer.from('js\n') });
  await waitFor('echo of js', () => c.out().includes('got js\n'));
  a.end();
  await waitFor('container exited', async () => (await js.status(cid)).state === EXITED);
  assert.equal((await js.status(cid)).exit_code, 4);
});

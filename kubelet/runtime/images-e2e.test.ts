import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../lib/testing/wait.js';
import { startRuntimeHarness, type RuntimeHarness } from '../testing/runtime-harness.js';
import { httpRequest } from '../testing/http-request.js';

let h: RuntimeHarness;
before(async () => { h = await startRuntimeHarness(39); });
after(async () => { await h?.cleanup(); });

async function serve(name: string, image: string, extra: Record<string, unknown> = {}, podExtra: Record<string, unknown> = {}) {
  const pod = await h.runPod(name, podExtra);
  const ip = (await h.cri.call('PodSandboxStatus', { pod_sandbox_id: pod.id })).status.network.ip as string;
  const id = await h.startContainer(pod, { metadata: { name: 'main' }, image: { image }, ...extra });
  return { pod, ip, id };
}
const get = (url: string) => waitFor(`GET ${url}`, () => httpRequest(h.node, 'GET', url).catch(() => undefined), { timeoutMs: 10_000 });

test('built-in images behave like the real ones: whoami, kubia, kubia-pet (persists to its volume), kv-store, generic, hello-world, and localhost is shared in a pod', async () => {
  const who = await serve('whoami', 'traefik/whoami:v1.10');
  const w = await get(`http://${who.ip}/hello`);
  assert.match(w.body, /^Hostname: whoami$/m);
  assert.match(w.body, new RegExp(`^IP: ${who.ip.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(w.body, /^GET \/hello HTTP\/1\.1$/m);

  const kubia = await serve('kubia-x7k2p', 'luksa/kubia');
  assert.equal((await get(`http://${kubia.ip}:8080/`)).body, "You've hit kubia-x7k2p\n");

  const data = join(h.dir, 'pet-data');
  mkdirSync(data);
  const pet = await serve('kubia-0', 'luksa/kubia-pet', { mounts: [{ host_path: data, container_path: '/var/data' }] });
  assert.match((await get(`http://${pet.ip}:8080/`)).body, /Data stored on this pod: No data posted yet/);
  assert.equal((await httpRequest(h.node, 'POST', `http://${pet.ip}:8080/`, 'Hey there!')).body, 'Data stored on pod kubia-0\n');
  assert.equal(readFileSync(join(data, 'kubia.txt'), 'utf8'), 'Hey there!');

  const kvDir = join(h.dir, 'kv');
  mkdirSync(kvDir);
  const kv = await serve('kv-0', 'kubesim/kv-store', { mounts: [{ host_path: kvDir, container_path: '/var/lib/kv' }] });
  await get(`http://${kv.ip}:8080/`);
  assert.equal((await httpRequest(h.node, 'PUT', `http://${kv.ip}:8080/color`, 'blue')).status, 201);
  assert.equal((await httpRequest(h.node, 'GET', `http://${kv.ip}:8080/color`)).body, 'blue');
  assert.deepEqual(JSON.parse(readFileSync(join(kvDir, 'data.json'), 'utf8')), { color: 'blue' });

  const gen = await serve('gen', 'generic', {}, { port_mappings: [{ protocol: 'TCP', container_port: 9376 }] });
  assert.match((await get(`http://${gen.ip}:9376/x`)).body, /^gen GET \/x$/m);
  // A second container of the same pod reaches the first over localhost.
  const side = await h.startContainer(gen.pod, { metadata: { name: 'side' }, image: { image: 'busybox' }, command: ['node', '-e', "require('http').get('http://127.0.0.1:9376/local',(r)=>r.pipe(process.stdout))"] });
  const sideDone = await waitFor('sidecar done', async () => { const s = await h.status(side); return s.state === 2 && s; });
  assert.match(readFileSync(sideDone.log_path, 'utf8'), / stdout F gen GET \/local$/m);

  // busybox: the node's shell and tools, plus busybox applets the node lacks (nc, ping, ...) on PATH first.
  const bb = await h.startContainer(gen.pod, { metadata: { name: 'bb' }, image: { image: 'busybox:1.28' }, command: ['sh', '-c', 'command -v nc; command -v wget'] });
  const bbDone = await waitFor('busybox done', async () => { const s = await h.status(bb); return s.state === 2 && s; });
  assert.match(readFileSync(bbDone.log_path, 'utf8'), /stdout F \/\.kubesim\/image\/bin\/nc$/m);

  const hello = await h.runPod('hello');
  const hid = await h.startContainer(hello, { metadata: { name: 'h' }, image: { image: 'hello-world' } });
  const hs = await waitFor('hello-world exits', async () => { const s = await h.status(hid); return s.state === 2 && s; });
  assert.equal(hs.exit_code, 0);
  assert.match(readFileSync(hs.log_path, 'utf8'), /Hello from Docker!/);
});

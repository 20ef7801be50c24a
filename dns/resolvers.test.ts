/**
 * The DNS server as pods see it: inside a test namespace whose /etc/resolv.conf (via
 * /etc/netns/<ns>/resolv.conf, which `ip netns exec` mounts) points at it with the pod search
 * path, asked by the real Debian resolvers: glibc (`getent hosts`), `nslookup` and `dig +search`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createNetns, deleteNetns, execIn, spawnIn, uniqueName } from '../lib/testing/netns.js';

const execFileP = promisify(execFile);
const ns = uniqueName('ksimt-dn');
const etcDir = `/etc/netns/${ns}`;
let server: ChildProcess | undefined;

before(async () => {
  await createNetns(ns);
  mkdirSync(etcDir, { recursive: true });
  writeFileSync(`${etcDir}/resolv.conf`, 'nameserver 127.0.0.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
  server = spawnIn(ns, process.execPath, [fileURLToPath(new URL('./testing/run-dns.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
    server!.once('exit', (code) => reject(new Error(`dns server exited ${code}`)));
  });
});

after(async () => {
  server?.kill('SIGKILL');
  await deleteNetns(ns);
  rmSync(etcDir, { recursive: true, force: true });
});

const getent = async (name: string) => (await execIn(ns, 'getent', ['hosts', name])).trim().split('\n').map((l) => l.split(/\s+/)).sort();

test('getent hosts: short name via the search path, cross-namespace, FQDN, headless, StatefulSet pod', async () => {
  assert.deepEqual(await getent('web'), [['10.96.0.20', 'web.default.svc.cluster.local']]);
  assert.deepEqual(await getent('db.other'), [['10.96.0.21', 'db.other.svc.cluster.local']]);
  assert.deepEqual(await getent('web.default.svc.cluster.local'), [['10.96.0.20', 'web.default.svc.cluster.local']]);
  assert.deepEqual((await getent('nginx')).map((l) => l[0]), ['10.244.1.10', '10.244.2.11']);
  assert.deepEqual(await getent('web-0.nginx'), [['10.244.1.10', 'web-0.nginx.default.svc.cluster.local']]);
});

test('getent hosts: an unknown name fails (exit 2, not found)', async () => {
  await assert.rejects(execIn(ns, 'getent', ['hosts', 'nope']), /failed/);
});

test('nslookup: search path, ExternalName CNAME, NXDOMAIN', async () => {
  const web = await execIn(ns, 'nslookup', ['web']);
  assert.match(web, /Name:\s+web\.default\.svc\.cluster\.local\nAddress: 10\.96\.0\.20/);
  const ext = await execIn(ns, 'nslookup', ['ext']);
  assert.match(ext, /ext\.default\.svc\.cluster\.local\s+canonical name = db\.other\.svc\.cluster\.local/);
  assert.match(ext, /Address: 10\.96\.0\.21/);
  // nslookup exits 1 on NXDOMAIN and says so on stdout.
  const nx = await execFileP('ip', ['netns', 'exec', ns, 'nslookup', 'nope.default.svc.cluster.local']).then((r) => r.stdout, (err: { stdout?: string }) => err.stdout ?? '');
  assert.match(nx, /server can't find nope\.default\.svc\.cluster\.local: NXDOMAIN/);
});

test('dig +search: SRV by short name', async () => {
  const out = await execIn(ns, 'dig', ['+search', '+short', '_http._tcp.web', 'SRV']);
  assert.equal(out.trim(), '0 100 80 web.default.svc.cluster.local.');
});

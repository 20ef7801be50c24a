/** The DNS server on 127.0.0.1:<free port>, asked by the real `dig`. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { run } from '../lib/testing/netns.js';
import { ClusterStore } from './cluster-store.js';
import { DnsServer } from './server.js';
import { loadFixtures } from './testing/fixtures.js';

const store = new ClusterStore();
let server: DnsServer;
let forwarding: DnsServer;
let upstream: dgram.Socket;

before(async () => {
  loadFixtures(store);
  server = new DnsServer({ store, host: '127.0.0.1', port: 0 });
  await server.start();
  // A fake upstream resolver that answers every question with 192.0.2.1.
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions,
      answers: [{ name: q.questions![0].name, type: 'A', ttl: 60, data: '192.0.2.1' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
  forwarding = new DnsServer({ store, host: '127.0.0.1', port: 0, upstream: `127.0.0.1:${upstream.address().port}` });
  await forwarding.start();
});

after(() => { server.stop(); forwarding.stop(); upstream.close(); });

async function dig(...args: string[]): Promise<string> {
  return run('dig', ['@127.0.0.1', '-p', String(server.port), '+tries=1', '+time=2', ...args]);
}
const short = async (...args: string[]) => (await dig('+short', ...args)).trim().split('\n').filter(Boolean).sort();

test('A for a ClusterIP service (FQDN and cross-namespace), authoritative, TTL 5', async () => {
  const out = await dig('web.default.svc.cluster.local', 'A');
  assert.match(out, /status: NOERROR/);
  assert.match(out, /flags: qr aa rd ra/);
  assert.match(out, /web\.default\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+10\.96\.0\.20/);
  assert.deepEqual(await short('db.other.svc.cluster.local'), ['10.96.0.21']);
});

test('headless service: one A per ready endpoint; StatefulSet pod names', async () => {
  assert.deepEqual(await short('nginx.default.svc.cluster.local'), ['10.244.1.10', '10.244.2.11']);
  assert.deepEqual(await short('web-0.nginx.default.svc.cluster.local'), ['10.244.1.10']);
  assert.deepEqual(await short('web-1.nginx.default.svc.cluster.local'), ['10.244.2.11']);
  // Not ready: no record.
  assert.match(await dig('web-2.nginx.default.svc.cluster.local'), /status: NXDOMAIN/);
});

test('SRV for named ports, with the targets\' A records as additionals', async () => {
  const out = await dig('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.match(out, /IN\s+SRV\s+0 100 80 web\.default\.svc\.cluster\.local\./);
  assert.match(out, /ADDITIONAL SECTION:\nweb\.default\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+10\.96\.0\.20/);
  assert.deepEqual(await short('_dns._udp.web.default.svc.cluster.local', 'SRV'), ['0 100 53 web.default.svc.cluster.local.']);
  assert.deepEqual(await short('_web._tcp.nginx.default.svc.cluster.local', 'SRV'), [
    '0 100 8080 web-0.nginx.default.svc.cluster.local.', '0 100 8080 web-1.nginx.default.svc.cluster.local.',
  ]);
  assert.match(await dig('_nope._tcp.web.default.svc.cluster.local', 'SRV'), /status: NXDOMAIN/);
});

test('ExternalName → CNAME; pod A records; PTR for ClusterIPs and pod IPs', async () => {
  assert.match(await dig('ext.default.svc.cluster.local'), /ext\.default\.svc\.cluster\.local\.\s+5\s+IN\s+CNAME\s+db\.other\.svc\.cluster\.local\./);
  assert.deepEqual(await short('10-244-1-30.default.pod.cluster.local'), ['10.244.1.30']);
  assert.deepEqual(await short('-x', '10.96.0.20'), ['web.default.svc.cluster.local.']);
  assert.deepEqual(await short('-x', '10.244.1.10'), ['web-0.nginx.default.svc.cluster.local.']);
  assert.deepEqual(await short('-x', '10.244.1.30'), ['10-244-1-30.default.pod.cluster.local.']);
});

test('unknown names in the zone: NXDOMAIN with the SOA; known name, missing type: NOERROR with the SOA', async () => {
  const nx = await dig('nope.default.svc.cluster.local');
  assert.match(nx, /status: NXDOMAIN/);
  assert.match(nx, /AUTHORITY SECTION:\ncluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
  const aaaa = await dig('web.default.svc.cluster.local', 'AAAA');
  assert.match(aaaa, /status: NOERROR/);
  assert.match(aaaa, /ANSWER: 0/);
  assert.match(aaaa, /IN\s+SOA/);
});

test('outside the cluster domain: REFUSED at once without upstream, forwarded with one', async () => {
  const t0 = Date.now();
  assert.match(await dig('example.com'), /status: REFUSED/);
  assert.ok(Date.now() - t0 < 1500);
  const fwd = await run('dig', ['@127.0.0.1', '-p', String(forwarding.port), '+short', '+tries=1', '+time=2', 'example.com']);
  assert.equal(fwd.trim(), '192.0.2.1');
  // Cluster names are still answered locally by the forwarding server.
  const local = await run('dig', ['@127.0.0.1', '-p', String(forwarding.port), '+short', 'web.default.svc.cluster.local']);
  assert.equal(local.trim(), '10.96.0.20');
});

test('large answers: truncated over plain UDP, complete over TCP and with EDNS0', async () => {
  const tc = await dig('+noedns', '+ignore', 'big.default.svc.cluster.local');
  assert.match(tc, /flags: qr aa tc rd ra/);
  assert.match(tc, /ANSWER: 0/);
  // dig retries a truncated answer over TCP by itself.
  assert.equal((await short('+noedns', 'big.default.svc.cluster.local')).length, 100);
  assert.equal((await short('+tcp', 'big.default.svc.cluster.local')).length, 100);
  // Compressed, 100 A records take ~1.6 kB: over 1232 and 512, under 4096.
  const edns = await dig('+bufsize=4096', '+ignore', 'big.default.svc.cluster.local');
  assert.match(edns, /flags: qr aa rd ra/);
  assert.match(edns, /EDNS: version: 0/);
  assert.match(edns, /ANSWER: 100/);
});

test('changes in the cluster are answered at once (no stale cached answer)', async () => {
  assert.deepEqual(await short('web.default.svc.cluster.local'), ['10.96.0.20']);
  const svc = store.services.get('default/web')!;
  const moved = structuredClone(svc);
  moved.spec!.clusterIP = '10.96.0.99';
  store.onService.onUpdate(svc, moved);
  try {
    assert.deepEqual(await short('web.default.svc.cluster.local'), ['10.96.0.99']);
  } finally {
    store.onService.onUpdate(moved, svc);
  }
  assert.ok(server.counters.cacheHits > 0);
});

test('a non-QUERY opcode (UPDATE) gets NOTIMP', async () => {
  const s = dgram.createSocket('udp4');
  try {
    const update = dnsPacket.encode({ type: 'query', id: 7, flags: 5 << 11, questions: [{ name: 'cluster.local', type: 'SOA', class: 'IN' }] });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      s.on('message', resolve);
      setTimeout(() => reject(new Error('no reply')), 2000);
      s.send(update, server.port, '127.0.0.1');
    });
    assert.equal(reply.readUInt16BE(2) & 0xf, 4);
  } finally { s.close(); }
});

test('garbage in: FORMERR or silence, and the server keeps answering', async () => {
  const s = dgram.createSocket('udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      s.on('message', resolve);
      setTimeout(() => reject(new Error('no reply')), 2000);
      s.send(Buffer.from('0123456789abcdefghij'), server.port, '127.0.0.1');
    });
    assert.equal(reply.readUInt16BE(2) & 0xf, 1);
  } finally { s.close(); }
  assert.deepEqual(await short('web.default.svc.cluster.local'), ['10.96.0.20']);
});

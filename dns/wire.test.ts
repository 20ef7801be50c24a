import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket, { type Answer } from 'dns-packet';
import { encodeResponse } from './wire.js';

const query = (name: string, type: 'A' | 'SRV' = 'A') => dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });

test('round trip through dns-packet: every section and record type decodes to what was written', () => {
  const name = 'Web.Default.svc.cluster.local';
  const answers: Answer[] = [
    { name: 'web.default.svc.cluster.local', type: 'A', ttl: 5, data: '10.96.0.20' },
    { name: 'web.default.svc.cluster.local', type: 'CNAME', ttl: 5, data: 'db.other.svc.cluster.local' },
    { name: 'web.default.svc.cluster.local', type: 'SRV', ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } },
    { name: '20.0.96.10.in-addr.arpa', type: 'PTR', ttl: 5, data: 'web.default.svc.cluster.local' },
  ];
  const soa: Answer = { name: 'cluster.local', type: 'SOA', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 5 } };
  const opt = { name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, options: [] } as unknown as Answer;
  const out = encodeResponse(query(name), dnsPacket.AUTHORITATIVE_ANSWER | 3, { answers, authorities: [soa], additionals: [opt] }, name);
  const d = dnsPacket.decode(out);
  assert.equal(d.id, 4242);
  assert.equal(d.type, 'response');
  assert.equal((d as unknown as { rcode: string }).rcode, 'NXDOMAIN');
  assert.equal(d.flag_aa, true);
  // The question keeps its case (resolvers using 0x20 randomization compare it).
  assert.equal(d.questions![0].name, name);
  // Owner names point at the question (DNS names are case-insensitive).
  const norm = (v: unknown) => JSON.parse(JSON.stringify(v).toLowerCase());
  assert.deepEqual(norm(d.answers!.map((a) => [a.type, a.name, (a as { data: unknown }).data])), norm(answers.map((a) => [a.type, a.name, (a as { data: unknown }).data])));
  assert.deepEqual((d.authorities![0] as { data: unknown }).data, soa.data);
  assert.equal((d.additionals![0] as unknown as { udpPayloadSize: number }).udpPayloadSize, 1232);
});

test('names are compressed: 28 A records for one name fit in 512 bytes', () => {
  const name = 'nginx.default.svc.cluster.local';
  const answers: Answer[] = Array.from({ length: 28 }, (_, i) => ({ name, type: 'A', ttl: 5, data: `10.244.1.${i + 1}` }));
  const out = encodeResponse(query(name), 0, { answers, authorities: [], additionals: [] }, name);
  assert.ok(out.length <= 512, `${out.length} bytes`);
  assert.ok(dnsPacket.encode({ type: 'response', questions: [{ name, type: 'A' }], answers }).length > 1000);
  assert.equal(dnsPacket.decode(out).answers!.length, 28);
});

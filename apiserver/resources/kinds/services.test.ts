import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import type { Service, Endpoints } from '../../../lib/api/types.js';

const defs = builtinResources();
const svcDef = defs.find((d) => d.resource === 'services')!;
const epDef = defs.find((d) => d.resource === 'endpoints' && d.group === '')!;
const now = new Date('2026-11-22T10:00:00Z');
const meta = { name: 'web', namespace: 'default', creationTimestamp: '2026-11-22T09:00:00Z' };
const svc = (spec: Service['spec']): Service => ({ metadata: { ...meta }, spec });
const defaulted = (s: Service) => { svcDef.defaults!(s); return s; };
const errors = (s: Service) => svcDef.validateCreate!(s).map((e) => `${e.field}|${e.type}|${e.message}`);

test('service defaults', () => {
  const s = defaulted(svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }));
  assert.equal(s.spec!.type, 'ClusterIP');
  assert.equal(s.spec!.sessionAffinity, 'None');
  assert.deepEqual(s.spec!.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(s.spec!.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(s.spec!.ipFamilies, ['IPv4']);
  assert.equal(s.spec!.externalTrafficPolicy, undefined);
  const np = defaulted(svc({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }], sessionAffinity: 'ClientIP' }));
  assert.equal(np.spec!.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec!.ports![0].targetPort, 'http');
  assert.equal(np.spec!.sessionAffinityConfig!.clientIP!.timeoutSeconds, 10800);
});

test('service validation wording', () => {
  assert.deepEqual(errors(defaulted(svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }))), []);
  assert.deepEqual(errors(defaulted(svc({ selector: { app: 'web' } }))), ['spec.ports|FieldValueRequired|']);
  assert.deepEqual(errors(defaulted(svc({ clusterIP: 'None', selector: { app: 'web' } }))), [], 'headless may have no ports');
  const e = errors(defaulted(svc({ type: 'Magic', ports: [{ port: 0 }, { port: 80, name: 'a' }, { port: 81, name: 'a', protocol: 'ICMP' }] })));
  assert.ok(e.includes('spec.type|FieldValueNotSupported|supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'), e.join('\n'));
  assert.ok(e.includes('spec.ports[0].name|FieldValueRequired|'));
  assert.ok(e.includes('spec.ports[0].port|FieldValueInvalid|must be between 1 and 65535, inclusive'));
  assert.ok(e.includes('spec.ports[2].name|FieldValueDuplicate|'));
  assert.ok(e.includes('spec.ports[2].protocol|FieldValueNotSupported|supported values: "SCTP", "TCP", "UDP"'));
  assert.deepEqual(errors(defaulted(svc({ ports: [{ port: 80, nodePort: 30080 }] }))), ["spec.ports[0].nodePort|FieldValueForbidden|may not be used when `type` is 'ClusterIP'"]);
  assert.deepEqual(errors(defaulted(svc({ type: 'ExternalName' }))), ['spec.externalName|FieldValueRequired|']);
  assert.deepEqual(errors(defaulted(svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.300' }))), ['spec.clusterIPs[0]|FieldValueInvalid|must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  assert.deepEqual(errors(defaulted(svc({ type: 'NodePort', ports: [{ port: 80, name: 'a', nodePort: 30080 }, { port: 81, name: 'b', nodePort: 30080 }] }))), ['spec.ports[1].nodePort|FieldValueDuplicate|']);
  assert.deepEqual(errors(defaulted(svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }))), ["spec.clusterIPs[0]|FieldValueInvalid|may not be set to 'None' for NodePort services"]);
  assert.deepEqual(errors(defaulted(svc({ type: 'ExternalName', externalName: 'example.com', clusterIP: '10.96.0.9' }))), ['spec.clusterIPs|FieldValueInvalid|must be empty for ExternalName services']);
  const bad = svc({ ports: [{ port: 80 }] });
  bad.metadata!.name = '1web';
  assert.match(svcDef.validateCreate!(defaulted(bad))[0].message, /^a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
});

test('cluster IP is immutable; allocated values survive an update that omits them', () => {
  const old = defaulted(svc({ type: 'NodePort', clusterIP: '10.96.0.5', ports: [{ port: 80, nodePort: 30080 }] }));
  const changed = structuredClone(old);
  changed.spec!.clusterIP = '10.96.0.6';
  changed.spec!.clusterIPs = ['10.96.0.6'];
  assert.deepEqual(svcDef.validateUpdate!(changed, old).map((e) => [e.field, e.message]), [['spec.clusterIPs[0]', 'may not change once set']]);
  const applied = defaulted(svc({ type: 'NodePort', ports: [{ port: 80 }] }));
  svcDef.prepareForUpdate!(applied, old);
  assert.equal(applied.spec!.clusterIP, '10.96.0.5');
  assert.deepEqual(applied.spec!.clusterIPs, ['10.96.0.5']);
  assert.equal(applied.spec!.ports![0].nodePort, 30080);
  assert.deepEqual(svcDef.validateUpdate!(applied, old), []);
});

test('service field selector values', () => {
  assert.deepEqual(svcDef.fieldValues!(svc({ type: 'NodePort', clusterIP: '10.96.0.9' })), { 'spec.clusterIP': '10.96.0.9', 'spec.type': 'NodePort' });
});

test('service table rows', () => {
  const cols = svcDef.tableColumns!.map((c) => `${c.name}:${c.priority}`);
  assert.deepEqual(cols, ['Name:0', 'Type:0', 'Cluster-IP:0', 'External-IP:0', 'Port(s):0', 'Age:0', 'Selector:1']);
  const row = (spec: Service['spec'], status?: Service['status']) => svcDef.tableRow!({ ...svc(spec), status }, now);
  assert.deepEqual(row({ type: 'ClusterIP', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web', tier: 'fe' } }),
    ['web', 'ClusterIP', '10.96.0.5', '<none>', '80/TCP', '60m', 'app=web,tier=fe']);
  assert.deepEqual(row({ type: 'NodePort', clusterIP: '10.96.0.6', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }).slice(1, 5),
    ['NodePort', '10.96.0.6', '<none>', '80:30080/TCP,53/UDP']);
  assert.equal(row({ type: 'LoadBalancer', clusterIP: '10.96.0.7', ports: [] })[3], '<pending>');
  assert.equal(row({ type: 'LoadBalancer', clusterIP: '10.96.0.7' }, { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } })[3], '192.0.2.1');
  assert.deepEqual(row({ type: 'ExternalName', externalName: 'example.com' }).slice(1, 5), ['ExternalName', '<none>', 'example.com', '<none>']);
  assert.equal(row({ clusterIP: 'None', clusterIPs: ['None'] })[2], 'None');
  assert.equal(row({ clusterIP: '10.96.0.5', externalIPs: ['192.0.2.9'] })[3], '192.0.2.9');
  assert.equal(row({ type: 'LoadBalancer', externalIPs: ['192.0.2.9'] }, { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } })[3], 'lb.example.com,192.0.2.9');
});

test('endpoints table and validation', () => {
  const ep = (subsets: Endpoints['subsets']): Endpoints => ({ metadata: { ...meta }, subsets });
  const cell = (e: Endpoints) => epDef.tableRow!(e, now)[1];
  assert.equal(cell(ep([])), '<none>');
  assert.equal(cell(ep([{ addresses: [{ ip: '10.244.1.2' }, { ip: '10.244.2.3' }], ports: [{ port: 80 }] }])), '10.244.1.2:80,10.244.2.3:80');
  assert.equal(cell(ep([{ addresses: [{ ip: '10.244.1.2' }, { ip: '10.244.2.3' }, { ip: '10.244.3.4' }, { ip: '10.244.4.5' }], ports: [{ port: 80 }] }])), '10.244.1.2:80,10.244.2.3:80,10.244.3.4:80 + 1 more...');
  assert.equal(cell(ep([{ notReadyAddresses: [{ ip: '10.244.1.2' }], ports: [{ port: 80 }] }])), '');
  assert.equal(cell(ep([{ addresses: [{ ip: '10.244.1.2' }] }])), '10.244.1.2');
  assert.deepEqual(epDef.validateCreate!(ep([{ addresses: [{ ip: 'x' }], ports: [{ port: 0 }] }])).map((e) => e.field), ['subsets[0].addresses[0].ip', 'subsets[0].ports[0].port']);
});

test('endpoint slice table', () => {
  const d = defs.find((x) => x.resource === 'endpointslices')!;
  const slice = (o: object) => ({ metadata: { ...meta, name: 'web-abc' }, addressType: 'IPv4', ...o });
  assert.deepEqual(d.tableRow!(slice({ ports: [{ port: 80 }, { name: 'dns' }, {}], endpoints: [{ addresses: ['10.244.1.2'] }, { addresses: ['10.244.2.3'] }] }), now),
    ['web-abc', 'IPv4', '80,dns,*', '10.244.1.2,10.244.2.3', '60m']);
  assert.deepEqual(d.tableRow!(slice({}), now).slice(2, 4), ['<unset>', '<unset>']);
  const many = { endpoints: [1, 2, 3, 4, 5].map((i) => ({ addresses: [`10.244.0.${i}`] })), ports: [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }] };
  assert.deepEqual(d.tableRow!(slice(many), now).slice(2, 4), ['1,2,3 + 1 more...', '10.244.0.1,10.244.0.2,10.244.0.3 + 2 more...']);
});

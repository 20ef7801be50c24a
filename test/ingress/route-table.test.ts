import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress, IngressClass } from '../../lib/api/types.js';
import { RouteTable, prefixMatches, stripPort } from '../../ingress/route-table.js';
import { servesIngress, CONTROLLER_NAME } from '../../ingress/ingress-class.js';
import { resolveBackend } from '../../ingress/endpoints.js';
import { publishedAddresses } from '../../ingress/status.js';

type P = [path: string, type: string, svc: string, port?: number | string];

function ing(name: string, rules: Array<[host: string, paths: P[]]>, extra: { created?: string; def?: string; ns?: string } = {}): Ingress {
  return {
    metadata: { name, namespace: extra.ns ?? 'default', creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z' },
    spec: {
      ...(extra.def ? { defaultBackend: { service: { name: extra.def, port: { number: 80 } } } } : {}),
      rules: rules.map(([host, paths]) => ({
        ...(host ? { host } : {}),
        http: { paths: paths.map(([path, pathType, svc, port]) => ({ path, pathType, backend: { service: { name: svc, port: typeof port === 'string' ? { name: port } : { number: port ?? 80 } } } })) },
      })),
    },
  };
}

const svcOf = (t: RouteTable, host: string, path: string) => t.match(host, path)?.backend.service;

test('two services behind one host with two paths, and a second host', () => {
  const t = RouteTable.build([ing('web', [['foo.example.com', [['/a', 'Prefix', 'svc-a'], ['/b', 'Prefix', 'svc-b']]], ['bar.example.com', [['/', 'Prefix', 'svc-c']]]])]);
  assert.equal(svcOf(t, 'foo.example.com', '/a'), 'svc-a');
  assert.equal(svcOf(t, 'foo.example.com:8080', '/a/x?q=1'), 'svc-a');
  assert.equal(svcOf(t, 'FOO.example.com', '/b/'), 'svc-b');
  assert.equal(svcOf(t, 'foo.example.com', '/c'), undefined);
  assert.equal(svcOf(t, 'bar.example.com', '/anything'), 'svc-c');
  assert.equal(svcOf(t, 'baz.example.com', '/a'), undefined);
  assert.equal(t.size(), 3);
  assert.deepEqual([...t.services()].sort(), ['default/svc-a', 'default/svc-b', 'default/svc-c']);
});

test('Prefix matches whole path elements; Exact only the exact path', () => {
  assert.equal(prefixMatches('/a', '/a'), true);
  assert.equal(prefixMatches('/a', '/a/b'), true);
  assert.equal(prefixMatches('/a', '/ab'), false);
  assert.equal(prefixMatches('/', '/anything'), true);
  const t = RouteTable.build([ing('x', [['h', [['/foo', 'Exact', 'exact'], ['/foo/', 'Prefix', 'prefix']]]])]);
  assert.equal(svcOf(t, 'h', '/foo'), 'exact');
  assert.equal(svcOf(t, 'h', '/foo/'), 'prefix');
  assert.equal(svcOf(t, 'h', '/foo/bar'), 'prefix');
  assert.equal(svcOf(t, 'h', '/foobar'), undefined);
});

test('longest Exact then longest Prefix wins', () => {
  const t = RouteTable.build([ing('x', [['h', [['/', 'Prefix', 'root'], ['/a', 'Prefix', 'a'], ['/a/b', 'Prefix', 'ab'], ['/a', 'Exact', 'a-exact'], ['/x/y', 'ImplementationSpecific', 'xy']]]])]);
  assert.equal(svcOf(t, 'h', '/a'), 'a-exact');
  assert.equal(svcOf(t, 'h', '/a/b/c'), 'ab');
  assert.equal(svcOf(t, 'h', '/a/c'), 'a');
  assert.equal(svcOf(t, 'h', '/z'), 'root');
  assert.equal(svcOf(t, 'h', '/x/y/z'), 'xy', 'ImplementationSpecific behaves as Prefix');
  assert.match(t.match('h', '/a')!.rule, /\/a \(Exact\)/);
});

test('wildcard hosts match one label; exact hosts first; hostless rules and the default backend last', () => {
  const t = RouteTable.build([
    ing('wild', [['*.example.com', [['/', 'Prefix', 'wild']]], ['', [['/open', 'Prefix', 'any-host']]]], { def: 'fallback' }),
    ing('exact', [['foo.example.com', [['/', 'Prefix', 'foo']]]]),
  ]);
  assert.equal(svcOf(t, 'foo.example.com', '/'), 'foo');
  assert.equal(svcOf(t, 'bar.example.com', '/x'), 'wild');
  assert.equal(svcOf(t, 'a.bar.example.com', '/x'), 'fallback', 'a wildcard covers a single label');
  assert.equal(svcOf(t, 'example.com', '/x'), 'fallback');
  assert.equal(svcOf(t, 'other.org', '/open/1'), 'any-host');
  assert.equal(t.match('other.org', '/')?.rule, 'default backend');
  assert.equal(stripPort('[::1]:80'), '[::1]');
});

test('the older Ingress keeps a host and path both claim, and its default backend', () => {
  const t = RouteTable.build([
    ing('new', [['h', [['/p', 'Prefix', 'new']]]], { created: '2026-02-01T00:00:00Z', def: 'new-def' }),
    ing('old', [['h', [['/p', 'Prefix', 'old']]]], { created: '2026-01-01T00:00:00Z', def: 'old-def' }),
  ]);
  assert.equal(svcOf(t, 'h', '/p'), 'old');
  assert.equal(svcOf(t, 'zzz', '/'), 'old-def');
  assert.equal(t.match('h', '/p')?.backend.ingress, 'default/old');
});

test('backends without a service or port are skipped, not a crash', () => {
  const bad: Ingress = { metadata: { name: 'bad', namespace: 'd' }, spec: { rules: [{ host: 'h', http: { paths: [{ path: '/r', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } }, { path: '/n', pathType: 'Prefix', backend: { service: { name: 's' } } }] } }, {}] } };
  const t = RouteTable.build([bad, {}]);
  assert.equal(t.size(), 0);
  assert.equal(t.match('h', '/r'), undefined);
});

test('class selection: by name, by controller, legacy annotation, default class', () => {
  const ours: IngressClass = { metadata: { name: 'other-name' }, spec: { controller: CONTROLLER_NAME } };
  const def: IngressClass = { metadata: { name: 'kubesim', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: CONTROLLER_NAME } };
  const nginx: IngressClass = { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } };
  const named = (n?: string, ann?: string): Ingress => ({ metadata: { name: 'i', ...(ann ? { annotations: { 'kubernetes.io/ingress.class': ann } } : {}) }, spec: n ? { ingressClassName: n } : {} });
  assert.equal(servesIngress(named('kubesim'), 'kubesim', []), true);
  assert.equal(servesIngress(named('other-name'), 'kubesim', [ours]), true);
  assert.equal(servesIngress(named('nginx'), 'kubesim', [nginx, def]), false);
  assert.equal(servesIngress(named(undefined, 'kubesim'), 'kubesim', []), true);
  assert.equal(servesIngress(named(undefined, 'nginx'), 'kubesim', [def]), false);
  assert.equal(servesIngress(named(), 'kubesim', [def, nginx]), true);
  assert.equal(servesIngress(named(), 'kubesim', [nginx]), false, 'no default class: unclassed Ingresses are not ours');
});

test('backend resolution: port by number or name, endpoint port by name, clear reasons', () => {
  const svc = { metadata: { name: 's', namespace: 'd' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'admin', port: 9000 }] } };
  const eps = { metadata: { name: 's', namespace: 'd' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], notReadyAddresses: [{ ip: '10.0.0.3' }], ports: [{ name: 'http', port: 8080 }, { name: 'admin', port: 9001 }] }] };
  const caches = { service: (ns: string, n: string) => (ns === 'd' && n === 's' ? svc : undefined), endpoints: (ns: string, n: string) => (ns === 'd' && n === 's' ? eps : undefined) };
  const ref = (port: number | string, service = 's') => ({ namespace: 'd', service, port, ingress: 'd/i' });
  assert.deepEqual(resolveBackend(ref(80), caches), { ok: true, targets: [{ ip: '10.0.0.1', port: 8080 }, { ip: '10.0.0.2', port: 8080 }] });
  assert.deepEqual(resolveBackend(ref('admin'), caches), { ok: true, targets: [{ ip: '10.0.0.1', port: 9001 }, { ip: '10.0.0.2', port: 9001 }] });
  assert.deepEqual(resolveBackend(ref(81), caches), { ok: false, reason: 'service "d/s" has no port 81' });
  assert.deepEqual(resolveBackend(ref(80, 'gone'), caches), { ok: false, reason: 'service "d/gone" not found' });
  eps.subsets[0].addresses = [];
  assert.deepEqual(resolveBackend(ref(80), caches), { ok: false, reason: 'no ready endpoints for service "d/s" port 80' });
});

test('published addresses: LoadBalancer IPs first, else Ready nodes\' InternalIPs', () => {
  const node = (ip: string, ready: string) => ({ status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: 'n' }], conditions: [{ type: 'Ready', status: ready }] } });
  const nodes = [node('10.200.0.12', 'True'), node('10.200.0.11', 'True'), node('10.200.0.13', 'False')];
  assert.deepEqual(publishedAddresses(undefined, nodes), [{ ip: '10.200.0.11' }, { ip: '10.200.0.12' }]);
  assert.deepEqual(publishedAddresses({ status: { loadBalancer: { ingress: [{ ip: '10.200.0.240' }] } } }, nodes), [{ ip: '10.200.0.240' }]);
  assert.deepEqual(publishedAddresses({ status: {} }, []), []);
});

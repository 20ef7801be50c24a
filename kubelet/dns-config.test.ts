import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podDnsConfig } from './dns-config.js';
import { renderHosts, renderResolvConf } from './runtime/pod-files.js';

const cluster = { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', nodeResolvConf: 'nameserver 192.0.2.53\nsearch example.org\n' };

test('ClusterFirst gives cluster DNS, the namespace search path and ndots:5', () => {
  const d = podDnsConfig({ namespace: 'shop' }, cluster);
  assert.deepEqual(d, { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
  assert.equal(renderResolvConf(d, ''), 'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
});

test('Default uses the node resolv.conf; hostNetwork ClusterFirst falls back to it; None takes dnsConfig only', () => {
  assert.deepEqual(podDnsConfig({ namespace: 'a', dnsPolicy: 'Default' }, cluster).servers, ['192.0.2.53']);
  assert.deepEqual(podDnsConfig({ namespace: 'a', hostNetwork: true }, cluster).servers, ['192.0.2.53']);
  assert.deepEqual(podDnsConfig({ namespace: 'a', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, cluster).servers, ['10.96.0.10']);
  const none = podDnsConfig({ namespace: 'a', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['x.y'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }, cluster);
  assert.deepEqual(none, { servers: ['1.2.3.4'], searches: ['x.y'], options: ['ndots:2', 'edns0'] });
  const merged = podDnsConfig({ namespace: 'a', dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }, cluster);
  assert.deepEqual(merged.options, ['ndots:1']);
});

test('hosts file names the pod', () => {
  const h = renderHosts('10.244.1.5', 'web-0', ['web-0.nginx.default.svc.cluster.local']);
  assert.match(h, /^10\.244\.1\.5\tweb-0\.nginx\.default\.svc\.cluster\.local\tweb-0$/m);
  assert.match(h, /^127\.0\.0\.1\tlocalhost$/m);
  assert.equal(renderResolvConf(undefined, 'nameserver 9.9.9.9\n'), 'nameserver 9.9.9.9\n');
});

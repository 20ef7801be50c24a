/**
 * The podnet addon against the kernel: a namespace made in-process is a named namespace `ip`
 * lists and deletes; a veth plugged into a bridge of a node namespace and the pod side addressed
 * and routed show as `ip` would have made them; failures name the step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { podnet } from './index.js';
import { run, runOk } from '../runtime/run.js';

test('podnet: netns add, veth into a bridge, pod side addressed and routed; clear errors', { skip: !podnet && 'podnet addon not built' }, async (t) => {
  const tag = randomBytes(3).toString('hex');
  const node = `ksimt-pn${tag}n`;
  const pod = `ksimt-pn${tag}p`;
  t.after(async () => { for (const ns of [pod, node]) await run('ip', ['netns', 'del', ns]); });
  podnet!.netnsAdd(node);
  podnet!.netnsAdd(pod);
  assert.ok(existsSync(`/run/netns/${pod}`));
  assert.throws(() => podnet!.netnsAdd(pod), /File exists/);
  assert.throws(() => podnet!.netnsAdd('a/b'), /invalid netns name/);
  assert.match(await runOk('ip', ['netns', 'list']), new RegExp(pod));
  await runOk('ip', ['-n', node, '-batch', '-'], { input: 'link add cni0 type bridge\naddr add 10.244.99.1/24 dev cni0\nlink set cni0 up\n' });
  podnet!.vethPlug({ hostNetns: `/run/netns/${node}`, host: 'vethpn0', peer: 'eth0', podNetns: `/run/netns/${pod}`, mtu: 1450, bridge: 'cni0' });
  assert.match(await runOk('ip', ['-n', node, '-o', 'link', 'show', 'vethpn0']), /mtu 1450 .*master cni0 .*state (UP|LOWERLAYERDOWN)|master cni0/);
  assert.throws(() => podnet!.vethPlug({ hostNetns: `/run/netns/${node}`, host: 'vethpn1', peer: 'eth1', podNetns: `/run/netns/${pod}`, mtu: 1450, bridge: 'nobr0' }), /no device nobr0/);
  podnet!.podIfUp({ netns: `/run/netns/${pod}`, ifName: 'eth0', address: '10.244.99.5', prefix: 24, gateway: '10.244.99.1' });
  assert.match(await runOk('ip', ['-n', pod, '-o', 'addr', 'show', 'dev', 'eth0']), / 10\.244\.99\.5\/24 /);
  assert.match(await runOk('ip', ['-n', pod, 'route']), /default via 10\.244\.99\.1 dev eth0/);
  assert.match(await runOk('ip', ['-n', pod, '-o', 'link', 'show', 'lo']), /UP/);
  // (Traffic over such a veth is checked by the bridge plugin's test, which uses the addon when built.)
  assert.throws(() => podnet!.podIfUp({ netns: `/run/netns/${pod}`, ifName: 'eth0', address: '10.244.99.5', prefix: 24, gateway: '10.244.99.1' }), /add address 10\.244\.99\.5\/24 to eth0: File exists/);
  assert.throws(() => podnet!.podIfUp({ netns: '/run/netns/ksimt-nonexistent', ifName: 'eth0', address: '10.0.0.1', prefix: 24, gateway: '10.0.0.254' }), /open netns/);
});

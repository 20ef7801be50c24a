import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cniAdd, cniCheck, cniDel, hostVethName } from './bridge-plugin.js';
import { createNetns, deleteNetns, pongServer, tcpFetch, tempDir, testName } from '../testing/netns.js';
import { run } from '../runtime/run.js';
import { isApiError } from '../../lib/errors.js';

test('bridge plugin plugs two pods into cni0 of a node namespace; they reach each other; DEL frees', async (t) => {
  const tmp = tempDir();
  const names: string[] = [];
  t.after(async () => { for (const n of names) await deleteNetns(n); tmp.remove(); });
  const node = await createNetns(); names.push(node);
  const podA = await createNetns(); names.push(podA);
  const podB = await createNetns(); names.push(podB);
  const subnetFile = join(tmp.dir, 'subnet.env');
  writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.7.1/24\nFLANNEL_MTU=1450\n');
  const conf = { name: 'cbr0', subnetFile, dataDir: join(tmp.dir, 'ipam') };
  const ra = await cniAdd(conf, { containerId: `${podA}-id`, netns: `/run/netns/${podA}`, ifName: 'eth0', hostNetns: node });
  const rb = await cniAdd(conf, { containerId: `${podB}-id`, netns: `/run/netns/${podB}`, ifName: 'eth0', hostNetns: node });
  const ipA = ra.ips[0].address.split('/')[0];
  const ipB = rb.ips[0].address.split('/')[0];
  assert.notEqual(ipA, ipB);
  assert.equal(ra.ips[0].gateway, '10.244.7.1');
  assert.match(ipA, /^10\.244\.7\.\d+$/);
  await cniCheck(conf, { containerId: `${podA}-id`, netns: `/run/netns/${podA}`, ifName: 'eth0' });
  const bridge = await run('ip', ['-n', node, '-o', 'addr', 'show', 'dev', 'cni0']);
  assert.match(bridge.stdout, /10\.244\.7\.1\/24/);
  const route = await run('ip', ['-n', podA, 'route', 'show', 'default']);
  assert.match(route.stdout, /default via 10\.244\.7\.1 dev eth0/);
  const mtu = await run('ip', ['-n', podA, 'link', 'show', 'eth0']);
  assert.match(mtu.stdout, /mtu 1450/);
  const srv = await pongServer(podB, 7777);
  try {
    assert.equal(await tcpFetch(podA, ipB, 7777), 'pong');
  } finally {
    srv.stop();
  }
  const nodeSrv = await pongServer(node, 7778);
  try {
    assert.equal(await tcpFetch(podB, '10.244.7.1', 7778), 'pong');
  } finally {
    nodeSrv.stop();
  }

  await cniDel(conf, { containerId: `${podA}-id`, hostNetns: node, ifName: 'eth0' });
  const gone = await run('ip', ['-n', node, 'link', 'show', hostVethName(`${podA}-id`)]);
  assert.notEqual(gone.code, 0);
  await cniDel(conf, { containerId: `${podA}-id`, hostNetns: node, ifName: 'eth0' }); // idempotent
  await assert.rejects(cniCheck(conf, { containerId: `${podA}-id`, netns: `/run/netns/${podA}`, ifName: 'eth0' }), (e) => isApiError(e, 'NotFound'));
});

test('bridge plugin: a missing subnet.env and a non-named netns are clear errors', async () => {
  const tmp = tempDir();
  try {
    const conf = { name: 'x', subnetFile: join(tmp.dir, 'none.env'), dataDir: tmp.dir };
    await assert.rejects(cniAdd(conf, { containerId: 'c', netns: '/run/netns/x', ifName: 'eth0' }), (e) => isApiError(e, 'Unavailable') && /flanneld/.test(e.message));
    writeFileSync(join(tmp.dir, 'ok.env'), 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.8.1/24\n');
    await assert.rejects(cniAdd({ ...conf, subnetFile: join(tmp.dir, 'ok.env') }, { containerId: 'c', netns: `/proc/1/ns/net${testName()}`, ifName: 'eth0' }), (e) => isApiError(e, 'Invalid'));
  } finally {
    tmp.remove();
  }
});

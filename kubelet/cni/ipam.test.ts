import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostLocalIpam } from './ipam.js';
import { parseSubnetEnv } from './subnet-env.js';
import { tempDir } from '../testing/netns.js';
import { isApiError } from '../../lib/errors.js';

test('parseSubnetEnv reads flannel keys and rejects a broken file', () => {
  const s = parseSubnetEnv('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
  assert.deepEqual(s, { network: '10.244.0.0/16', gateway: '10.244.3.1', prefix: 24, mtu: 1450, ipMasq: true });
  assert.throws(() => parseSubnetEnv('FLANNEL_NETWORK=10.244.0.0/16\n'), (e) => isApiError(e, 'Invalid') && /FLANNEL_SUBNET/.test(e.message));
});

test('host-local IPAM: unique addresses, skips the gateway, idempotent, persists, releases, exhausts', () => {
  const tmp = tempDir();
  try {
    const a = new HostLocalIpam(tmp.dir, 'net', '10.9.0.1', 29); // usable .1-.6, gateway .1
    const ips = ['c1', 'c2', 'c3'].map((c) => a.allocate(c));
    assert.equal(new Set(ips).size, 3);
    assert.ok(!ips.includes('10.9.0.1'));
    assert.equal(a.allocate('c2'), ips[1]);
    // A new allocator (a restarted plugin) sees the same state.
    const b = new HostLocalIpam(tmp.dir, 'net', '10.9.0.1', 29);
    assert.equal(b.find('c3'), ips[2]);
    const more = ['c4', 'c5'].map((c) => b.allocate(c));
    assert.equal(new Set([...ips, ...more]).size, 5);
    assert.throws(() => b.allocate('c6'), (e) => isApiError(e, 'Unavailable'));
    assert.deepEqual(b.release('c1'), [ips[0]]);
    assert.equal(b.allocate('c6'), ips[0]);
    assert.deepEqual(b.release('nobody'), []);
  } finally {
    tmp.remove();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';
import { waitFor } from '../../lib/testing/wait.js';
import { SubnetManager, type LeaseListener } from './manager.js';
import { SubnetRegistry, type SubnetLease } from './registry.js';
import { formatCidr } from './cidr.js';
import { readSubnetEnv, writeSubnetEnv } from './subnet-env.js';
import { TcpProxy } from '../testing/tcp-proxy.js';

const CONFIG = JSON.stringify({ Network: '10.244.0.0/16', SubnetLen: 24, Backend: { Type: 'vxlan' } });

async function withEtcd(fn: (client: Etcd3, etcd: TestEtcd) => Promise<void>): Promise<void> {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    await new SubnetRegistry(client).putConfig(CONFIG);
    await fn(client, etcd);
  } finally {
    client.close();
    await etcd.stop();
  }
}

function attrs(ip: string): { PublicIP: string; BackendType: string; BackendData: Record<string, unknown> } {
  return { PublicIP: ip, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '0e:00:00:00:00:01' } };
}

class Recorder implements LeaseListener {
  added: string[] = [];
  removed: string[] = [];
  onAdd(l: SubnetLease): void { this.added.push(`${formatCidr(l.subnet)} ${l.attrs.PublicIP}`); }
  onRemove(l: SubnetLease): void { this.removed.push(formatCidr(l.subnet)); }
}

test('20 nodes starting at once get 20 different subnets, stored in flannel layout', async () => {
  await withEtcd(async (client) => {
    const ctl = new AbortController();
    try {
      const managers = Array.from({ length: 20 }, () => new SubnetManager({ registry: new SubnetRegistry(client) }));
      await Promise.all(managers.map((m) => m.loadConfig(ctl.signal)));
      const leases = await Promise.all(managers.map((m, i) => m.acquire(attrs(`10.200.0.${11 + i}`), ctl.signal)));
      const subnets = new Set(leases.map((l) => formatCidr(l.subnet)));
      assert.equal(subnets.size, 20);
      const stored = await client.getAll().prefix('/coreos.com/network/subnets/').strings();
      assert.equal(Object.keys(stored).length, 20);
      const [key, value] = Object.entries(stored)[0];
      assert.match(key, /^\/coreos\.com\/network\/subnets\/10\.244\.\d+\.0-24$/);
      assert.deepEqual(Object.keys(JSON.parse(value)), ['PublicIP', 'BackendType', 'BackendData']);
      const withLease = await client.getAll().prefix('/coreos.com/network/subnets/').exec();
      assert.ok(withLease.kvs.every((kv) => kv.lease !== '0'), 'every key sits on an etcd lease');
    } finally {
      ctl.abort();
    }
  });
});

test('a restarted node gets its subnet back from subnet.env, or by PublicIP without it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-flannel-'));
  try {
    await withEtcd(async (client) => {
      const ctl = new AbortController();
      try {
        const file = join(dir, 'subnet.env');
        const first = new SubnetManager({ registry: new SubnetRegistry(client), subnetFile: file });
        await first.loadConfig(ctl.signal);
        const a = await first.acquire(attrs('10.200.0.11'), ctl.signal);
        await writeSubnetEnv(file, { network: first.config.network, subnet: a.subnet, mtu: 1450, ipMasq: false });
        assert.equal((await readSubnetEnv(file)).FLANNEL_MTU, '1450');
        // "Killed": the old process just stops; its key stays until the lease expires.
        const again = new SubnetManager({ registry: new SubnetRegistry(client), subnetFile: file });
        await again.loadConfig(ctl.signal);
        assert.deepEqual((await again.acquire(attrs('10.200.0.11'), ctl.signal)).subnet, a.subnet);
        const ttl = await client.leaseClient.leaseTimeToLive({ ID: a.leaseId });
        assert.equal(Number(ttl.TTL), -1, 'the first run\'s etcd lease was revoked, the key moved to a new one');
        const noFile = new SubnetManager({ registry: new SubnetRegistry(client), subnetFile: join(dir, 'missing.env') });
        await noFile.loadConfig(ctl.signal);
        assert.deepEqual((await noFile.acquire(attrs('10.200.0.11'), ctl.signal)).subnet, a.subnet);
        // Another node may not take a subnet that is leased to someone else, even if its file says so.
        const other = new SubnetManager({ registry: new SubnetRegistry(client), subnetFile: file });
        await other.loadConfig(ctl.signal);
        assert.notDeepEqual((await other.acquire(attrs('10.200.0.99'), ctl.signal)).subnet, a.subnet);
      } finally {
        ctl.abort();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watch: a node added later is seen, an expired lease is removed, the own lease is renewed', async () => {
  await withEtcd(async (client) => {
    const ctl = new AbortController();
    const ctlB = new AbortController();
    const runs: Promise<void>[] = [];
    try {
      const a = new SubnetManager({ registry: new SubnetRegistry(client), ttlSeconds: 3, resyncMs: 60_000 });
      await a.loadConfig(ctl.signal);
      const la = await a.acquire(attrs('10.200.0.11'), ctl.signal);
      const rec = new Recorder();
      runs.push(a.run(rec, ctl.signal));
      const b = new SubnetManager({ registry: new SubnetRegistry(client), ttlSeconds: 3 });
      await b.loadConfig(ctl.signal);
      const lb = await b.acquire(attrs('10.200.0.12'), ctl.signal);
      runs.push(b.run(new Recorder(), ctlB.signal));
      await waitFor('A sees B', () => rec.added.includes(`${formatCidr(lb.subnet)} 10.200.0.12`));
      // B stops renewing (as if killed): after its TTL the key expires and A forgets it.
      ctlB.abort();
      await waitFor('A sees B expire', () => rec.removed.includes(formatCidr(lb.subnet)), { timeoutMs: 15_000 });
      // A kept renewing its own 3 s lease all that time.
      const own = await client.get(`/coreos.com/network/subnets/${formatCidr(la.subnet).replace('/', '-')}`).string();
      assert.ok(own, 'own lease still there after several TTLs');
      assert.equal(rec.added.length, 1);
      // An operator deletes a's key: a writes it again, same subnet.
      const ownKey = `/coreos.com/network/subnets/${formatCidr(la.subnet).replace('/', '-')}`;
      await client.delete().key(ownKey);
      await waitFor('own key written again', async () => (await client.get(ownKey).string()) !== null);
      assert.deepEqual(a.own!.subnet, la.subnet);
    } finally {
      ctl.abort();
      ctlB.abort();
      await Promise.all(runs);
    }
  });
});

test('a lease lost while etcd was away and taken by another node: a new subnet, and the owner is told', async () => {
  await withEtcd(async (client, etcd) => {
    const url = new URL(etcd.endpoint);
    const proxy = new TcpProxy(url.hostname, Number(url.port));
    const ctl = new AbortController();
    const viaProxy = new Etcd3({ hosts: `http://127.0.0.1:${await proxy.start()}` });
    let run: Promise<void> | undefined;
    try {
      const changed: string[] = [];
      const a = new SubnetManager({ registry: new SubnetRegistry(viaProxy), ttlSeconds: 3, onSubnetChanged: (l) => changed.push(formatCidr(l.subnet)) });
      await a.loadConfig(ctl.signal);
      const first = await a.acquire(attrs('10.200.0.11'), ctl.signal);
      run = a.run(new Recorder(), ctl.signal);
      await proxy.pause();
      await client.leaseClient.leaseRevoke({ ID: first.leaseId });
      await client.put(`/coreos.com/network/subnets/${formatCidr(first.subnet).replace('/', '-')}`).value(JSON.stringify(attrs('10.200.0.99')));
      await proxy.start();
      await waitFor('told about the new subnet', () => changed.length === 1, { timeoutMs: 20_000 });
      assert.notEqual(changed[0], formatCidr(first.subnet));
      assert.equal(formatCidr(a.own!.subnet), changed[0]);
    } finally {
      ctl.abort();
      await run;
      viaProxy.close();
      await proxy.close();
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flanneldCommand, toOptions, withEnvFlags } from './flags.js';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const cmd = flanneldCommand();
  cmd.parse(withEnvFlags(cmd, ['node', 'flanneld', ...argv], env));
  return toOptions(cmd.opts());
};

test('flannel defaults: prefix, subnet file, 24 h lease renewed 1 h before, healthz off', () => {
  const o = parse([]);
  assert.equal(o.etcdPrefix, '/coreos.com/network');
  assert.equal(o.subnetFile, '/run/flannel/subnet.env');
  assert.equal(o.leaseTtl, 86400);
  assert.equal(o.renewMarginSeconds, 3600);
  assert.equal(o.httpPort, undefined);
  assert.equal(o.ipMasq, false);
});

test('--iface takes a name or an address; FLANNELD_* variables fill flags not given', () => {
  assert.equal(parse(['--iface', 'eth1']).iface, 'eth1');
  const byIp = parse(['--iface', '10.200.0.12']);
  assert.deepEqual([byIp.iface, byIp.publicIp], [undefined, '10.200.0.12']);
  const env = { FLANNELD_ETCD_ENDPOINTS: 'http://a:1,http://b:2', FLANNELD_IP_MASQ: 'true', FLANNELD_ETCD_PREFIX: '/x/' };
  const o = parse(['--etcd-prefix', '/cli'], env);
  assert.deepEqual(o.etcdEndpoints, ['http://a:1', 'http://b:2']);
  assert.equal(o.ipMasq, true);
  assert.equal(o.etcdPrefix, '/cli', 'the command line wins');
  assert.equal(parse(['--metrics-port', '0']).httpPort, 0);
  assert.equal(parse(['--healthz-port', '9999']).httpPort, 9999);
  assert.equal(parse(['--offload', 'off']).offload, false);
});

test('--sched-batch: on/off for the fast path\'s thread, default the config\'s SchedBatch, also from FLANNELD_SCHED_BATCH', () => {
  assert.equal(parse([]).schedBatch, undefined, 'default: the config\'s SchedBatch');
  assert.equal(parse(['--sched-batch', 'off']).schedBatch, false);
  assert.equal(parse(['--sched-batch', 'on']).schedBatch, true);
  assert.equal(parse([], { FLANNELD_SCHED_BATCH: 'false' }).schedBatch, false);
  assert.equal(parse(['--sched-batch', 'on'], { FLANNELD_SCHED_BATCH: 'off' }).schedBatch, true, 'the command line wins');
});

test('--spin-micros: the fast path\'s busy-polling budget, 0..100000, also from FLANNELD_SPIN_MICROS', () => {
  assert.equal(parse([]).spinMicros, undefined, 'default: the config\'s SpinMicros');
  assert.equal(parse(['--spin-micros', '0']).spinMicros, 0);
  assert.equal(parse([], { FLANNELD_SPIN_MICROS: '300' }).spinMicros, 300);
  for (const bad of ['-1', 'x', '1.5', '100001']) {
    const cmd = flanneldCommand().exitOverride().configureOutput({ writeErr: () => {} });
    assert.throws(() => cmd.parse(['node', 'flanneld', '--spin-micros', bad]), /spin-micros.*0\.\.100000/, bad);
  }
});

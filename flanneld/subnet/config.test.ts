import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allSubnets, parseNetworkConfig } from './config.js';
import { formatIp, parseCidr, parseSubnetKey, subnetKey } from './cidr.js';
import { formatSubnetEnv } from './subnet-env.js';

test('flannel defaults: SubnetLen 24, first subnet skipped, backend udp', () => {
  const c = parseNetworkConfig('{"Network":"10.244.0.0/16"}');
  assert.equal(c.subnetLen, 24);
  assert.equal(formatIp(c.subnetMin), '10.244.1.0');
  assert.equal(formatIp(c.subnetMax), '10.244.255.0');
  assert.equal(c.backend.Type, 'udp');
  assert.equal(allSubnets(c).length, 255);
});

test('SubnetMin/SubnetMax and backend fields are honoured', () => {
  const c = parseNetworkConfig(JSON.stringify({ Network: '10.244.0.0/16', SubnetLen: 24, SubnetMin: '10.244.10.0', SubnetMax: '10.244.12.0', Backend: { Type: 'vxlan', VNI: 1, Port: 8472 } }));
  assert.deepEqual(allSubnets(c).map(formatIp), ['10.244.10.0', '10.244.11.0', '10.244.12.0']);
  assert.equal(c.backend.VNI, 1);
});

test('bad configs give Invalid errors naming the field', () => {
  const cases: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['[]', /JSON object/],
    ['{}', /Network: Required/],
    ['{"Network":"10.244.0.0/33"}', /Network: Invalid value/],
    ['{"Network":"10.244.0.0/16","SubnetLen":8}', /SubnetLen/],
    ['{"Network":"10.244.0.0/16","SubnetMin":"10.245.0.0"}', /SubnetMin.*inside/],
    ['{"Network":"10.244.0.0/16","SubnetMax":"10.244.1.5"}', /SubnetMax.*boundary/],
    ['{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","VNI":-1}}', /VNI/],
    ['{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","SpinMicros":-5}}', /Backend\.SpinMicros/],
    ['{"Network":"10.244.0.0/16","Backend":{"Type":"udp","SpinMicros":"200"}}', /Backend\.SpinMicros/],
    ['{"Network":"10.244.0.0/16","Backend":{"Type":"udp","SchedBatch":"yes"}}', /Backend\.SchedBatch/],
    ['{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","SchedBatch":1}}', /Backend\.SchedBatch/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseNetworkConfig(text), (err: Error & { code?: string }) => err.code === 'Invalid' && re.test(err.message), text);
  }
});

test('subnet keys and subnet.env follow flannel', () => {
  const n = parseCidr('10.244.7.0/24');
  assert.equal(subnetKey(n), '10.244.7.0-24');
  assert.deepEqual(parseSubnetKey('10.244.7.0-24'), n);
  assert.equal(parseSubnetKey('10.244.7.1-24'), undefined);
  assert.equal(parseSubnetKey('garbage'), undefined);
  assert.equal(formatSubnetEnv({ network: parseCidr('10.244.0.0/16'), subnet: n, mtu: 1450, ipMasq: true }),
    'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.7.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { addAddress, attachToBridge, createBridge, createNetns, createVeth, deleteNetns, execIn, ipIn, uniqueName } from './netns.js';

const exists = (ns: string): boolean => execFileSync('ip', ['netns', 'list']).toString().split('\n').some((l) => l.split(' ')[0] === ns);

test('namespaces with a bridge and veths: traffic flows between them, delete removes everything', async () => {
  const hub = uniqueName(), a = uniqueName();
  try {
    await createNetns(hub);
    await createNetns(a, { forward: true });
    assert.equal((await execIn(a, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).trim(), '1');
    assert.equal((await execIn(hub, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).trim(), '0');
    await createBridge(hub, 'br0', '10.250.0.1/24');
    await createVeth('eth0', a, 'va', hub);
    await attachToBridge(hub, 'va', 'br0');
    await addAddress(a, 'eth0', '10.250.0.2/24');
    assert.match(await ipIn(hub, 'link', 'show', 'va'), /master br0/);
    // Reachability without ping(8): a TCP connect from the hub to a listener in a.
    const script = "const n=require('node:net');const s=n.createServer(c=>c.end('hi')).listen(9,'10.250.0.2',()=>{n.connect(9,'10.250.0.2').on('data',d=>{console.log(String(d));process.exit(0)})})";
    assert.equal((await execIn(a, process.execPath, ['-e', script])).trim(), 'hi');
    const viaBridge = "require('node:net').connect(9,'10.250.0.2').on('error',e=>{console.log(e.code);process.exit(0)})";
    assert.equal((await execIn(hub, process.execPath, ['-e', viaBridge])).trim(), 'ECONNREFUSED', 'a answered across the bridge');
  } finally {
    await deleteNetns(a);
    await deleteNetns(hub);
  }
  assert.equal(exists(a) || exists(hub), false);
  assert.equal(uniqueName().length <= 15, true);
});

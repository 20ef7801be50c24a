import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Pod } from '../lib/api/types.js';
import { freePort } from '../lib/testing/ports.js';
import { HostPorts, hostPortMappings } from './host-ports.js';
import { createLogger } from './runtime/log.js';

const pod = (name: string, podIP: string, containerPort: number, hostPort: number, extra: Partial<Pod['status']> = {}): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', ports: [{ containerPort, hostPort, hostIP: '127.0.0.1' }, { containerPort: 53, hostPort: 53, protocol: 'UDP' }, { containerPort: 9 }] }] },
  status: { phase: 'Running', podIP, ...extra },
} as Pod);

/** Sends a line, returns what the server answered (or the connect error code). */
function ask(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('end', () => resolve(got));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    s.end('ping\n');
  });
}

test('hostPortMappings: running pods with a TCP hostPort only', () => {
  const m = hostPortMappings([pod('a', '10.244.1.2', 80, 8080), pod('b', '10.244.1.3', 80, 8081, { phase: 'Pending' }), { ...pod('c', '', 80, 8082) }], '0.0.0.0');
  assert.deepEqual(m, [{ key: '127.0.0.1:8080/TCP', hostIP: '127.0.0.1', hostPort: 8080, podIP: '10.244.1.2', containerPort: 80, pod: 'default/a' }]);
});

test('a hostPort forwards to the pod through the kube-proxy TCP proxy, follows a new pod IP, and closes with the pod', async (t) => {
  const servers: net.Server[] = [];
  const serve = async (name: string) => {
    const srv = net.createServer((c) => c.once('data', () => c.end(`${name}\n`)));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    servers.push(srv);
    return (srv.address() as net.AddressInfo).port;
  };
  const hp = new HostPorts('ksimt-node', '127.0.0.1', createLogger('kubelet', true));
  t.after(() => { hp.close(); for (const s of servers) s.close(); });
  const first = await serve('first');
  const hostPort = await freePort();
  await hp.sync([pod('web', '127.0.0.1', first, hostPort)]);
  assert.equal(await ask(hostPort), 'first\n');
  const second = await serve('second');
  await hp.sync([pod('web', '127.0.0.1', second, hostPort)]);
  assert.equal(await ask(hostPort), 'second\n');
  await hp.sync([]);
  assert.equal(await ask(hostPort), 'ECONNREFUSED');
});

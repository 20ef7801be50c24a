import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../lib/testing/etcd.js';

const main = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url));
const loader = process.execArgv.flatMap((a, i, all) => (a === '--import' ? [a, all[i + 1]] : []));

/** Runs flanneld to its exit; resolves with the exit code and its log. */
function runToExit(args: string[]): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...loader, main, '--subnet-file', '/tmp/ksimt-unused.env', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d) => { log += d; });
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => { clearTimeout(t); resolve({ code, log }); });
  });
}

test('flanneld refuses a broken network config or an unknown backend with a clear error', async () => {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    await client.put('/ksimt/network/config').value('{"Network":"10.244.0.0/33"}');
    const bad = await runToExit(['--etcd-endpoints', etcd.endpoint, '--etcd-prefix', '/ksimt/network']);
    assert.equal(bad.code, 1);
    assert.match(bad.log, /Network: Invalid value: \\"10\.244\.0\.0\/33\\"/);
    await client.put('/ksimt/network/config').value('{"Network":"10.244.0.0/16"}');
    const unknown = await runToExit(['--etcd-endpoints', etcd.endpoint, '--etcd-prefix', '/ksimt/network', '--backend', 'bogus']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.log, /unknown backend \\"bogus\\": one of host-gw, udp, vxlan/);
  } finally {
    client.close();
    await etcd.stop();
  }
});

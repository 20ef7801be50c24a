/** TCP probes between pod namespaces: a server that answers with the peer address it sees and the bytes it got. */
import { spawn, type ChildProcess } from 'node:child_process';
import { execIn } from '../../lib/testing/netns.js';
import { waitFor } from '../../lib/testing/wait.js';

/** Port of the probe server every test pod runs. */
export const PROBE_PORT = 7000;

const SERVER = `
const net = require('node:net');
const srv = net.createServer((s) => {
  let n = 0;
  s.on('data', (d) => { n += d.length; });
  s.on('end', () => s.end(s.remoteAddress + ' ' + n + '\\n'));
  s.on('error', () => {});
});
srv.listen(Number(process.argv[1]), '0.0.0.0', () => console.log('listening'));
`;

const CLIENT = `
const net = require('node:net');
const [host, port, bytes] = process.argv.slice(1);
const s = net.connect(Number(port), host, () => { s.end(Buffer.alloc(Number(bytes), 120)); });
let out = '';
s.on('data', (d) => { out += d; });
s.on('end', () => { process.stdout.write(out); process.exit(0); });
s.on('error', (e) => { console.error(e.message); process.exit(1); });
setTimeout(() => { console.error('timeout'); process.exit(2); }, Number(process.argv[4]));
`;

/** Starts the probe server in ns on port; the caller kills the returned process (deleting the ns does too). */
export async function startProbeServer(ns: string, port: number): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  await waitFor('probe server listening', () => {
    if (child.exitCode !== null) throw new Error('probe server exited');
    return out.includes('listening');
  });
  return child;
}

/** Connects from ns to host:port, sends `bytes` bytes and returns "<address the server saw> <bytes it got>". */
export async function probe(ns: string, host: string, port: number, bytes = 200_000, timeoutMs = 8000): Promise<string> {
  return (await execIn(ns, process.execPath, ['-e', CLIENT, host, String(port), String(bytes), String(timeoutMs)], { timeoutMs: timeoutMs + 5000 })).trim();
}

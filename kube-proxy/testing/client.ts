/**
 * Test client: `tcp <host> <port> <n>` opens n connections one after another and prints, as JSON,
 * the first line each one read or `ERR:<code>` with the time it took; `udp <host> <port> <n>`
 * sends n datagrams from n sockets connected to host:port (so only replies from that address
 * count) and prints the replies; `hold <host> <port> <ms>` connects, prints the greeting, waits
 * ms, sends `still-here\n` and prints what came back (a connection that must outlive a change);
 * `bulk <host> <port> <bytes> [parallel]`: parallel connections each send `bytes` of a pattern and
 * half-close; the echo backend's answer after its greeting must be the same bytes (prints
 * [{sent, received, same}]).
 */
import net from 'node:net';
import dgram from 'node:dgram';

const [mode, host, portS, nS] = process.argv.slice(2);
const port = Number(portS);
const n = Number(nS ?? 1);

function tcpOnce(): Promise<{ reply: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let buf = '';
    const done = (reply: string) => { s.destroy(); resolve({ reply, ms: performance.now() - t0 }); };
    s.setTimeout(5000, () => done('ERR:TIMEOUT'));
    s.on('data', (d) => { buf += d.toString(); if (buf.includes('\n')) done(buf.split('\n')[0]); });
    s.on('error', (e: NodeJS.ErrnoException) => done(`ERR:${e.code}`));
    s.on('end', () => done(buf ? buf.split('\n')[0] : 'ERR:EOF'));
  });
}

function udpOnce(i: number): Promise<string> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const done = (r: string) => { s.close(); resolve(r); };
    const timer = setTimeout(() => done('ERR:TIMEOUT'), 3000);
    s.on('message', (m) => { clearTimeout(timer); done(m.toString()); });
    s.on('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); done(`ERR:${e.code}`); });
    s.connect(port, host, () => s.send(`ping${i}`));
  });
}

async function hold(ms: number): Promise<void> {
  const s = net.connect({ host, port });
  let buf = '';
  let greeted = false;
  s.on('error', (e: NodeJS.ErrnoException) => { process.stdout.write(`ERR:${e.code}\n`); process.exit(1); });
  s.on('data', (d) => {
    buf += d.toString();
    const lines = buf.split('\n');
    if (!greeted && lines.length > 1) {
      greeted = true;
      process.stdout.write(`greeting ${lines[0]}\n`);
      setTimeout(() => s.write('still-here\n'), ms);
    }
    if (lines.length > 2) { process.stdout.write(`echo ${lines[1]}\n`); s.end(); }
  });
}

/** Sends n bytes, half-closes, and prints everything that comes back before the server's FIN. */
async function halfClose(bytes: number): Promise<void> {
  const s = net.connect({ host, port, allowHalfOpen: true });
  let buf = '';
  s.on('data', (d) => { buf += d.toString(); });
  s.on('error', (e: NodeJS.ErrnoException) => { process.stdout.write(JSON.stringify(`ERR:${e.code}`) + '\n'); });
  s.on('end', () => { process.stdout.write(JSON.stringify(buf.trim()) + '\n'); s.destroy(); });
  s.end(Buffer.alloc(bytes, 120));
}

/** Sends a pattern, half-closes and compares what the echo backend sends back after its greeting. */
function bulkOnce(bytes: number, seed: number): Promise<{ sent: number; received: number; same: boolean }> {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed) & 0xff;
  return new Promise((resolve) => {
    const s = net.connect({ host, port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => resolve({ sent: bytes, received: -1, same: false }));
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      const body = all.subarray(all.indexOf(10) + 1);
      resolve({ sent: bytes, received: body.length, same: body.equals(data) });
      s.destroy();
    });
    s.end(data);
  });
}

if (mode === 'bulk') {
  const parallel = Number(process.argv[6] ?? 1);
  process.stdout.write(JSON.stringify(await Promise.all(Array.from({ length: parallel }, (_, i) => bulkOnce(n, i)))) + '\n');
  process.exit(0);
}
if (mode === 'hold') { await hold(n); process.exitCode = 0; }
if (mode === 'halfclose') await halfClose(n);
const out: unknown[] = [];
for (let i = 0; i < n && mode !== 'hold' && mode !== 'halfclose'; i++) out.push(mode === 'udp' ? await udpOnce(i) : await tcpOnce());
if (mode !== 'hold' && mode !== 'halfclose') process.stdout.write(JSON.stringify(out) + '\n');

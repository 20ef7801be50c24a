/**
 * Test client: `tcp <host> <port> <n>` opens n connections one after another and prints, as JSON,
 * the first line each one read or `ERR:<code>` with the time it took; `udp <host> <port> <n>`
 * sends n datagrams from n sockets connected to host:port (so only replies from that address
 * count) and prints the replies.
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

const out: unknown[] = [];
for (let i = 0; i < n; i++) out.push(mode === 'udp' ? await udpOnce(i) : await tcpOnce());
process.stdout.write(JSON.stringify(out) + '\n');

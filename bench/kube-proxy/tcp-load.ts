/**
 * Load generator run inside a namespace against the test backend (which greets with a line, then
 * echoes). `rate <host> <port> <seconds> <parallel>`: short connections (connect, read the
 * greeting, close) as fast as `parallel` loops go → {conns, perSecond}. `rtt <host> <port> <n>`:
 * 1-byte ping-pong on one connection → {p50us, p99us}.
 */
import net from 'node:net';

const [mode, host, portS, a, b] = process.argv.slice(2);
const port = Number(portS);

function once(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, noDelay: true });
    s.once('data', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
  });
}

async function rate(seconds: number, parallel: number): Promise<void> {
  const end = performance.now() + seconds * 1000;
  let conns = 0;
  let errors = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (performance.now() < end) { if (await once()) conns++; else errors++; }
  }));
  process.stdout.write(JSON.stringify({ conns, errors, perSecond: conns / seconds }) + '\n');
}

async function rtt(n: number): Promise<void> {
  const s = net.connect({ host, port, noDelay: true });
  await new Promise<void>((r) => s.once('data', () => r()));
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((r) => { s.once('data', () => r()); s.write('x'); });
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  s.destroy();
  samples.sort((x, y) => x - y);
  process.stdout.write(JSON.stringify({ p50us: samples[Math.floor(n / 2)], p99us: samples[Math.floor(n * 0.99)] }) + '\n');
}

if (mode === 'rate') await rate(Number(a), Number(b ?? 8));
else await rtt(Number(a));

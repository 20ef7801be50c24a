/**
 * The built-in "generic" image's default program: answers on every declared container port
 * ($KUBESIM_PORTS, e.g. "80/TCP,53/UDP"): HTTP 200 naming the pod on TCP, echo on UDP.
 */
import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';

const ports = (process.env.KUBESIM_PORTS ?? '').split(',').filter(Boolean).map((p) => {
  const [port, proto] = p.split('/');
  return { port: Number(port), proto: (proto ?? 'TCP').toUpperCase() };
});
const closers: Array<() => void> = [];
for (const { port, proto } of ports) {
  if (proto === 'UDP') {
    const sock = createSocket('udp4');
    sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
    sock.bind(port, () => console.log(`echoing UDP on ${port}`));
    closers.push(() => sock.close());
  } else {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`${hostname()} ${req.method} ${req.url}\n`);
    });
    server.listen(port, () => console.log(`serving HTTP on ${port}`));
    closers.push(() => server.close());
  }
}
if (!ports.length) console.log('generic: no ports declared; idling');
const keepAlive = setInterval(() => { /* an idle container keeps running */ }, 1 << 30);
process.on('SIGTERM', () => { closers.forEach((c) => c()); clearInterval(keepAlive); process.exit(0); });

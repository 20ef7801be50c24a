/**
 * Test backend: for each `ip:port` argument a TCP server that greets with `ip:port\n` then echoes,
 * and a UDP socket that answers each datagram with `ip:port <datagram>`; on port+1 a TCP server
 * that answers only after the client's FIN (`ip:port got <n>`), to prove half-close. Prints `ready`.
 */
import net from 'node:net';
import dgram from 'node:dgram';

const servers = process.argv.slice(2).map(async (addr) => {
  const [ip, port] = addr.split(':');
  const tcp = net.createServer({ allowHalfOpen: true }, (c) => {
    c.on('error', () => undefined);
    c.write(`${addr}\n`);
    c.pipe(c);
  });
  await new Promise<void>((r) => tcp.listen(Number(port), ip, r));
  const eof = net.createServer({ allowHalfOpen: true }, (c) => {
    let n = 0;
    c.on('error', () => undefined);
    c.on('data', (d: Buffer) => { n += d.length; });
    c.on('end', () => c.end(`${addr} got ${n}\n`));
  });
  await new Promise<void>((r) => eof.listen(Number(port) + 1, ip, r));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => udp.send(Buffer.concat([Buffer.from(`${addr} `), m]), r.port, r.address));
  await new Promise<void>((r) => udp.bind(Number(port), ip, r));
});
await Promise.all(servers);
process.stdout.write('ready\n');

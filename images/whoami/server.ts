/**
 * The built-in "traefik/whoami" image: on every request prints the hostname, the pod's IP
 * addresses, the remote address and the request (line + headers), on port 80
 * (--port N or WHOAMI_PORT_NUMBER).
 */
import { createServer } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

const argPort = process.argv.indexOf('--port');
const PORT = Number(argPort > 0 ? process.argv[argPort + 1] : process.env.WHOAMI_PORT_NUMBER ?? 80);

const server = createServer((req, res) => {
  const lines = [`Hostname: ${hostname()}`];
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) lines.push(`IP: ${a.address}`);
  lines.push(`RemoteAddr: ${req.socket.remoteAddress?.replace(/^::ffff:/, '')}:${req.socket.remotePort}`);
  lines.push(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(lines.join('\n') + '\n');
});
server.listen(PORT, () => console.log(`Starting up on port ${PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

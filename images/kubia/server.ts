/** The built-in "luksa/kubia" image (Kubernetes in Action): answers "You've hit <hostname>" on 8080. */
import { createServer } from 'node:http';
import { hostname } from 'node:os';

console.log('Kubia server starting...');
const server = createServer((req, res) => {
  console.log(`Received request from ${req.socket.remoteAddress?.replace(/^::ffff:/, '')}`);
  res.writeHead(200);
  res.end(`You've hit ${hostname()}\n`);
});
server.listen(8080);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

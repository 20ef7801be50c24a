/**
 * The built-in "luksa/kubia" image (Kubernetes in Action): answers "You've hit <hostname>" on
 * 8080. As luksa/kubia-unhealthy (the liveness-probe example) every request after the fifth
 * gets a 500 "I'm not well. Please restart me!".
 */
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const unhealthy = (process.env.KUBESIM_IMAGE ?? '').includes('kubia-unhealthy');
let requests = 0;
console.log('Kubia server starting...');
const server = createServer((req, res) => {
  console.log(`Received request from ${req.socket.remoteAddress?.replace(/^::ffff:/, '')}`);
  requests++;
  if (unhealthy && requests > 5) {
    res.writeHead(500);
    res.end("I'm not well. Please restart me!\n");
    return;
  }
  res.writeHead(200);
  res.end(`You've hit ${hostname()}\n`);
});
server.listen(8080);

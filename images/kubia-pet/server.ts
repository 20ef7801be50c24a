/**
 * The built-in "luksa/kubia-pet" image (StatefulSet chapter of Kubernetes in Action): GET
 * shows the hostname and the data stored on this pod; POST stores the body in
 * /var/data/kubia.txt (the pod's persistent volume).
 */
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = process.env.DATA_FILE ?? '/var/data/kubia.txt';
console.log('Kubia server starting...');
const server = createServer((req, res) => {
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      mkdirSync(FILE.slice(0, FILE.lastIndexOf('/')) || '/', { recursive: true });
      writeFileSync(FILE, Buffer.concat(chunks));
      console.log(`New data has been received and stored.`);
      res.writeHead(200);
      res.end(`Data stored on pod ${hostname()}\n`);
    });
    return;
  }
  let data = 'No data posted yet';
  try { data = readFileSync(FILE, 'utf8'); } catch { /* nothing stored */ }
  res.writeHead(200);
  res.end(`You've hit ${hostname()}\nData stored on this pod: ${data}\n`);
});
server.listen(8080);

/**
 * The built-in key-value store image for StatefulSet labs: HTTP on 8080 (PORT), GET /<key>
 * reads, PUT or POST /<key> writes (body = value), DELETE removes, GET / lists all. Data is
 * kept in $DATA_DIR/data.json (mount a volume there) and reloaded at start.
 */
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = process.env.DATA_DIR ?? '/var/lib/kv';
const FILE = join(DIR, 'data.json');
const PORT = Number(process.env.PORT ?? 8080);
let data: Record<string, string> = {};
try { data = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, string>; } catch { /* first start */ }
console.log(`kv-store on ${hostname()}: ${Object.keys(data).length} keys loaded from ${FILE}`);

function persist(): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(`${FILE}.tmp`, JSON.stringify(data));
  renameSync(`${FILE}.tmp`, FILE);
}

const server = createServer((req, res) => {
  const key = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('X-Served-By', hostname());
    if (!key) { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(data) + '\n'); return; }
    if (req.method === 'PUT' || req.method === 'POST') { data[key] = Buffer.concat(chunks).toString(); persist(); res.writeHead(201); res.end('stored\n'); return; }
    if (req.method === 'DELETE') { delete data[key]; persist(); res.writeHead(204); res.end(); return; }
    if (!(key in data)) { res.writeHead(404); res.end('not found\n'); return; }
    res.writeHead(200); res.end(data[key]);
  });
});
server.listen(PORT, () => console.log(`listening on ${PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

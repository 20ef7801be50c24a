/**
 * The built-in "nginx" image: serves /usr/share/nginx/html (index.html for directories) on
 * port 80 (KUBESIM_NGINX_PORT to change: not NGINX_PORT, which a Service named nginx sets to tcp://IP:80 in every pod, as Kubernetes service links do), logs each request in nginx's combined format on stdout,
 * and exits on SIGTERM/SIGQUIT like nginx.
 */
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const ROOT = process.env.NGINX_ROOT ?? '/usr/share/nginx/html';
const PORT = Number(process.env.KUBESIM_NGINX_PORT ?? 80);
const TYPES: Record<string, string> = { '.html': 'text/html', '.css': 'text/css', '.js': 'application/javascript', '.json': 'application/json', '.txt': 'text/plain', '.png': 'image/png', '.svg': 'image/svg+xml' };

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^(\.\.[/\\])+/, '');
  let file = join(ROOT, path);
  let status = 200;
  let body: Buffer;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    body = await readFile(file);
  } catch {
    status = 404;
    file = '.html';
    body = Buffer.from('<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
  }
  res.writeHead(status, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', Server: `nginx/${process.env.NGINX_VERSION ?? '1.25.3'}` });
  res.end(req.method === 'HEAD' ? undefined : body);
  const remote = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
  console.log(`${remote} - - [${new Date().toUTCString()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${body.length} "-" "${req.headers['user-agent'] ?? '-'}"`);
});
server.listen(PORT, () => console.log(`nginx: listening on port ${PORT}`));
for (const sig of ['SIGTERM', 'SIGQUIT', 'SIGINT'] as const) process.on(sig, () => server.close(() => process.exit(0)));

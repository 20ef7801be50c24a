/**
 * Serves the built front end (Vite output) from one folder. Paths are resolved inside that
 * folder only; unknown paths get index.html so the page's own routes survive a reload.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.map': 'application/json',
};

/** Where the built page is: next to the compiled server (dist/dashboard/web), or dist/ when run from source. */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../web'), resolve(here, '../../dist/dashboard/web')];
  return candidates.find((c) => existsSync(join(c, 'index.html')) && existsSync(join(c, 'assets'))) ?? candidates[0];
}

/** Serves `pathname` from `root` (GET/HEAD only). */
export function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): void {
  let rel: string;
  try { rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, ''); } catch { rel = ''; }
  let file = resolve(root, rel || 'index.html');
  if (!file.startsWith(resolve(root) + sep) || !existsSync(file) || !statSync(file).isFile()) file = join(root, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end(`dashboard front end not built (no ${file}): run npm run build:web\n`);
    return;
  }
  const immutable = file.includes(`${sep}assets${sep}`); // Vite puts a content hash in these names
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache', 'x-content-type-options': 'nosniff' });
  if (req.method === 'HEAD') { res.end(); return; }
  createReadStream(file).pipe(res);
}

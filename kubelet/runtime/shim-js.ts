/**
 * The container shim (shim-script.ts) in JavaScript, for nodes without Perl (e.g. slim container
 * images): same arguments, same files, same log format, stdin and attach socket; no terminal
 * (a tty container gets pipes); it costs a Node.js process per container.
 */
export const SHIM_JS_SOURCE = String.raw`import { spawn } from 'node:child_process';
import { openSync, writeSync, writeFileSync, renameSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { constants } from 'node:os';
const [logPath, state, ...cmd] = process.argv.slice(2);
// stdin and attach as the Perl shim has them (no terminal here: a tty container gets pipes).
const io = {};
try { for (const w of readFileSync(state + '/stdio', 'utf8').split(/\s+/)) if (w) io[w] = true; } catch {}
const writeAtomic = (p, t) => { writeFileSync(p + '.tmp', t); renameSync(p + '.tmp', p); };
const nowNs = () => BigInt(Date.now()) * 1000000n;
const stamp = () => new Date().toISOString().replace(/(\.\d{3})Z$/, '$1000000Z');
const log = openSync(logPath, 'a');
// detached: the container gets its own session and process group (pgid = pid), as with the Perl shim.
const child = spawn(cmd[0], cmd.slice(1), { stdio: [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
child.stdin?.on('error', () => {});
const clients = new Set();
let stdinClosed = false;
const closeStdin = () => { if (stdinClosed || !io.once) return; stdinClosed = true; child.stdin?.end(); };
const frame = (t, p) => { const h = Buffer.alloc(5); h[0] = t; h.writeUInt32BE(p.length, 1); return Buffer.concat([h, p]); };
const server = createServer((c) => {
  clients.add(c);
  let buf = Buffer.alloc(0);
  let usesStdin = false;
  c.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
      const t = buf[0], p = buf.subarray(5, 5 + buf.readUInt32BE(1));
      buf = buf.subarray(5 + p.length);
      if (t === 0 && io.stdin && !stdinClosed) child.stdin?.write(p);
      else if (t === 1 && usesStdin) closeStdin();
      else if (t === 3) usesStdin = true;
    }
  });
  c.on('error', () => {});
  c.on('close', () => { clients.delete(c); if (usesStdin) closeStdin(); });
});
server.on('error', () => {});
server.listen({ path: '\0kubesim-attach-' + basename(state) });
server.unref();
child.on('error', (e) => { writeSync(log, stamp() + ' stderr F exec ' + cmd[0] + ': ' + e.message + '\n'); writeAtomic(state + '/exit', JSON.stringify({ code: 127, signal: 0, finishedAt: Number(nowNs()) }) + '\n'); process.exit(0); });
if (child.pid) writeAtomic(state + '/pid', child.pid + '\n');
const pump = (stream, name) => {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    for (const c of clients) c.write(frame(name === 'stdout' ? 1 : 2, Buffer.from(d)));
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { writeSync(log, stamp() + ' ' + name + ' F ' + buf.slice(0, i) + '\n'); buf = buf.slice(i + 1); }
    while (buf.length > 16384) { writeSync(log, stamp() + ' ' + name + ' P ' + buf.slice(0, 16384) + '\n'); buf = buf.slice(16384); }
  });
  return () => { if (buf) writeSync(log, stamp() + ' ' + name + ' F ' + buf + '\n'); buf = ''; };
};
const flushOut = pump(child.stdout, 'stdout');
const flushErr = pump(child.stderr, 'stderr');
let open = 2;
let exited;
const finish = () => {
  flushOut(); flushErr();
  writeAtomic(state + '/exit', JSON.stringify({ code: exited.sig ? 128 + exited.signum : exited.code, signal: exited.signum, finishedAt: Number(nowNs()) }) + '\n');
  process.exit(0);
};
const closed = () => { if (--open === 0 && exited) finish(); };
child.stdout.once('close', closed);
child.stderr.once('close', closed);
child.on('exit', (code, sig) => {
  exited = { code, sig, signum: sig ? constants.signals[sig] : 0 };
  if (open === 0) finish();
  // A grandchild holding the pipes must not delay the exit record for long.
  else setTimeout(finish, 200);
});
`;

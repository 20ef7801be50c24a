/**
 * `kubectl exec` and `kubectl attach` over SPDY/3.1 (kubectl ≤ 1.29, and newer ones falling back): the client opens
 * one SPDY stream per purpose (header `streamtype`: error, stdin, stdout, stderr, resize); the
 * command starts once every stream the query asked for is open. Output goes out as data frames
 * on stdout/stderr; the end is a Status (v4.channel.k8s.io) on the error stream, then FIN on
 * every stream and GOAWAY, as the real kubelet's remotecommand server does.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CriClient } from './runtime/cri-client.js';
import type { ExecTarget } from './exec-stream.js';
import { endStatus, startStream } from './exec-stream.js';
import { SpdyConnection, type SpdyStreamHandlers } from './spdy-conn.js';
import { DeferredExec } from './tty-size.js';

/** Stream protocol versions served over SPDY; v4 carries a JSON Status on the error stream. */
const SPDY_PROTOCOLS = ['v4.channel.k8s.io'];

/** Answers the upgrade and runs the exec session on the socket. */
export function serveSpdyExec(req: IncomingMessage, socket: Duplex, cri: CriClient, target: ExecTarget): void {
  const offered = (req.headersDistinct['x-stream-protocol-version'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  const proto = SPDY_PROTOCOLS.find((p) => offered.includes(p));
  if (!proto) {
    const text = `unable to upgrade: the client offers ${offered.join(', ') || 'no stream protocol'}, the server supports ${SPDY_PROTOCOLS.join(', ')}`;
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${proto}\r\n\r\n`);
  new SpdyExecSession(socket, cri, target).start();
}

class SpdyExecSession {
  private readonly streams = new Map<string, number>();
  private readonly conn: SpdyConnection;
  private exec: DeferredExec | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly socket: Duplex, private readonly cri: CriClient, private readonly target: ExecTarget) {
    this.conn = new SpdyConnection(socket, (id, headers) => this.onStream(id, headers.streamtype?.[0] ?? ''));
  }

  start(): void {
    this.socket.on('close', () => { clearTimeout(this.timer); this.exec?.cancel(); });
    this.socket.on('error', () => this.exec?.cancel());
    // A client that never opens its streams must not hold the connection forever.
    this.timer = setTimeout(() => { if (!this.exec) this.socket.destroy(); }, 30_000);
  }

  private wanted(): string[] {
    const t = this.target;
    return ['error', ...(t.stdin ? ['stdin'] : []), ...(t.stdout ? ['stdout'] : []), ...(t.stderr && !t.tty ? ['stderr'] : []), ...(t.tty ? ['resize'] : [])];
  }

  private onStream(id: number, type: string): SpdyStreamHandlers {
    this.streams.set(type, id);
    // Streams open one after another; the command starts once the last one it needs is there.
    if (!this.exec && this.wanted().every((w) => this.streams.has(w))) this.run();
    if (type === 'resize') return { onData: (d) => this.exec?.resize(d) };
    if (type !== 'stdin') return {};
    return {
      onData: (d) => this.exec?.write({ stdin_data: d }),
      onEnd: () => this.exec?.write({ stdin_close: true }),
    };
  }

  private send(type: string, data: Buffer, fin = false): void {
    const id = this.streams.get(type);
    if (id !== undefined) this.conn.send(id, data, fin);
  }

  private run(): void {
    if (this.exec) return;
    clearTimeout(this.timer);
    this.exec = new DeferredExec((size) => {
      const exec = startStream(this.cri, this.target, size);
      exec.on('data', (m: { stdout?: Buffer; stderr?: Buffer; exited?: boolean; exit_code?: number }) => {
        if (m.stdout?.length) this.send('stdout', m.stdout);
        // With a tty the client has no stderr stream: the output is merged as a terminal would.
        if (m.stderr?.length) this.send(this.streams.has('stderr') ? 'stderr' : 'stdout', m.stderr);
        if (m.exited) this.finish(endStatus(this.target, m.exit_code ?? 0));
      });
      exec.on('error', (err: Error) => this.finish({ metadata: {}, status: 'Failure', message: err.message, reason: 'InternalError' }));
      return exec;
    }, this.target.tty);
    if (!this.target.stdin) this.exec.write({ stdin_close: true });
  }

  private finish(status: object): void {
    this.send('stdout', Buffer.alloc(0), true);
    this.send('stderr', Buffer.alloc(0), true);
    this.send('error', Buffer.from(JSON.stringify(status)), true);
    // Closing the connection ends the session; the client has read every frame sent before.
    this.socket.end();
  }
}

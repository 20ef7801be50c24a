/**
 * `kubectl exec` and `kubectl attach` on the kubelet: GET /exec/<ns>/<pod>/<container>?command=...&stdin=true
 * (or /attach/<ns>/<pod>/<container>?stdin=true&tty=true) upgraded to a WebSocket with Kubernetes' channel protocol (v5/v4.channel.k8s.io): each
 * binary message starts with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize,
 * 255 close-a-channel in v5). The command runs through the runtime's streaming Exec (an attach
 * through its Attach); the end is reported as a Status on channel 3, as the real kubelet does.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from '../lib/api/types.js';
import type { CriClient } from './runtime/cri-client.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from './pod-config.js';
import { acceptKey, encodeFrame, FrameParser, OP } from './websocket.js';
import { serveSpdyExec } from './exec-spdy.js';
import { DeferredExec, type TtySize } from './tty-size.js';
import type { CriStream } from './runtime/cri-client.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

function reject(socket: Duplex, code: number, text: string): void {
  socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

/** The Status message kubectl reads from channel 3 at the end. */
export function exitStatus(code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command, exit code ${code}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A resolved exec or attach request: the container and command, and which streams the client wants. */
export interface ExecTarget { attach: boolean; containerId: string; cmd: string[]; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

/** Opens the runtime stream of an exec or attach (terminal of `size` for a tty). */
export function startStream(cri: CriClient, t: ExecTarget, size: TtySize | undefined): CriStream {
  return t.attach ? cri.attach(t.containerId, t.stdin, size) : cri.exec(t.containerId, t.cmd, t.tty, size);
}

/** The Status ending a session: an exec's exit code; an attach just ends (as the real kubelet's). */
export function endStatus(t: ExecTarget, code: number): object {
  return exitStatus(t.attach ? 0 : code);
}

/** Validates an exec or attach path against the pod cache and the runtime; an error answer when it cannot run. */
export async function resolveExec(url: URL, cri: CriClient, getPod: (ns: string, name: string) => Pod | undefined): Promise<ExecTarget | { code: number; text: string }> {
  const [kind, ns, name, containerArg] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const attach = kind === 'attach';
  const pod = getPod(ns, name);
  if (!pod) return { code: 404, text: `pod "${name}" not found` };
  const container = containerArg || url.searchParams.get('container') || pod.spec?.containers?.[0]?.name || '';
  const cmd = url.searchParams.getAll('command');
  const list = (await cri.call('ListContainers', { filter: { state: { state: 1 }, label_selector: { [LABEL_POD_UID]: pod.metadata!.uid!, [LABEL_CONTAINER_NAME]: container } } })).containers as Array<{ id: string }>;
  if (!list.length) return { code: 400, text: `container "${container}" in pod "${name}" is not running` };
  if (!cmd.length && !attach) return { code: 400, text: 'you must specify at least one command for the container' };
  const flag = (k: string, short: string) => url.searchParams.get(k) === 'true' || url.searchParams.get(short) === '1';
  return { attach, containerId: list[0].id, cmd, stdin: flag('stdin', 'input'), stdout: flag('stdout', 'output'), stderr: flag('stderr', 'error'), tty: flag('tty', 'tty') };
}

/** Handles an upgrade request for /exec/... or /attach/...; returns false for other paths. */
export async function handleExecUpgrade(req: IncomingMessage, socket: Duplex, cri: CriClient, getPod: (ns: string, name: string) => Pod | undefined): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  const parts = url.pathname.split('/').filter(Boolean);
  if ((parts[0] !== 'exec' && parts[0] !== 'attach') || parts.length < 3) return false;
  const spdy = /^spdy\//i.test(String(req.headers.upgrade ?? ''));
  const key = req.headers['sec-websocket-key'];
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const proto = PROTOCOLS.find((p) => offered.includes(p));
  if (!spdy && (!key || !proto)) { reject(socket, 400, `${parts[0]} needs a WebSocket upgrade with one of ${PROTOCOLS.join(', ')} (or SPDY/3.1)`); return true; }
  const target = await resolveExec(url, cri, getPod);
  if ('code' in target) { reject(socket, target.code, target.text); return true; }
  if (spdy) { serveSpdyExec(req, socket, cri, target); return true; }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(String(key))}\r\nSec-WebSocket-Protocol: ${proto}\r\n\r\n`);
  const send = (channel: number, data: Buffer) => { if (!socket.destroyed) socket.write(encodeFrame(OP.binary, Buffer.concat([Buffer.from([channel]), data]))); };
  const exec = new DeferredExec((size) => {
    const stream = startStream(cri, target, size);
    stream.on('data', (m: { stdout?: Buffer; stderr?: Buffer; exited?: boolean; exit_code?: number }) => {
      if (m.stdout?.length) send(1, m.stdout);
      if (m.stderr?.length) send(2, m.stderr);
      if (m.exited) {
        send(3, Buffer.from(JSON.stringify(endStatus(target, m.exit_code ?? 0))));
        socket.end(encodeFrame(OP.close, Buffer.from([0x03, 0xe8])));
      }
    });
    stream.on('error', (err: Error) => {
      send(3, Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: err.message, reason: 'InternalError' })));
      socket.end(encodeFrame(OP.close, Buffer.from([0x03, 0xe8])));
    });
    return stream;
  }, target.tty);
  if (!target.stdin) exec.write({ stdin_close: true });
  const parser = new FrameParser((op, payload) => {
    if (op === OP.close) { exec.write({ stdin_close: true }); socket.end(encodeFrame(OP.close, Buffer.alloc(0))); return; }
    if (op === OP.ping) { socket.write(encodeFrame(OP.pong, payload)); return; }
    if ((op !== OP.binary && op !== OP.text) || payload.length === 0) return;
    const ch = payload[0];
    if (ch === 0 && payload.length > 1) exec.write({ stdin_data: payload.subarray(1) });
    else if (ch === 4) exec.resize(payload.subarray(1));
    else if (ch === 255 && payload[1] === 0) exec.write({ stdin_close: true });
  });
  socket.on('data', (d: Buffer) => parser.push(d));
  socket.on('close', () => exec.cancel());
  socket.on('error', () => exec.cancel());
  return true;
}

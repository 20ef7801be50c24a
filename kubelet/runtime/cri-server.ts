/**
 * The gRPC edge of the runtime: serves RuntimeService and ImageService (proto/cri.proto) on
 * a unix socket, passing decoded messages to ContainerRuntime and mapping ApiErrors to gRPC
 * status codes (the message keeps the Kubernetes wording, e.g. ErrImagePull).
 */
import { rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ApiError } from '../../lib/errors.js';
import { loadRoot, protoBundleUrl, criServiceDefinition } from './grpc-service.js';
import type { Socket } from 'node:net';
import { spawnInContainer, type ExecChild } from './exec.js';
import { AttachFrameParser, attachFrame, connectAttach, FRAME, resizeFrame } from './attach.js';
import { pollUntil } from './poll.js';
import type { ContainerRuntime } from './runtime-service.js';
import type { Logger } from './log.js';

/** gRPC ServiceError for any thrown value. */
export function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof ApiError) {
    const metadata = new grpc.Metadata();
    metadata.set('kubesim-reason', err.code);
    return { code: err.grpcCode, details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: (err as Error)?.message ?? String(err) };
}

/** grpc-js definitions of the two CRI services. */
export function criDefinitions(): { runtime: grpc.ServiceDefinition; image: grpc.ServiceDefinition } {
  const root = loadRoot(protoBundleUrl('cri'));
  return { runtime: criServiceDefinition(root, 'runtime.v1.RuntimeService'), image: criServiceDefinition(root, 'runtime.v1.ImageService') };
}

type Handlers = grpc.UntypedServiceImplementation;

function unaryHandlers(def: grpc.ServiceDefinition, rt: ContainerRuntime, log: Logger): Handlers {
  const out: Handlers = {};
  for (const [name, m] of Object.entries(def)) {
    if (m.requestStream || m.responseStream) continue;
    const fn = (rt as unknown as Record<string, (req: unknown) => unknown>)[name];
    if (typeof fn !== 'function') continue;
    out[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      Promise.resolve().then(() => fn.call(rt, call.request)).then(
        (res) => cb(null, res),
        (err) => {
          if (!(err instanceof ApiError) || err.code === 'Internal') log.error('CRI call failed', { method: name, err: (err as Error).message });
          cb(toServiceError(err));
        });
    };
  }
  return out;
}

interface ExecIn { container_id: string; cmd: string[]; tty: boolean; stdin: boolean; stdin_data: Buffer; stdin_close: boolean; resize_cols: number; resize_rows: number }

function sizeOf(msg: ExecIn): { cols: number; rows: number } | undefined {
  return msg.resize_cols > 0 && msg.resize_rows > 0 ? { cols: msg.resize_cols, rows: msg.resize_rows } : undefined;
}

function execHandler(rt: ContainerRuntime): grpc.handleBidiStreamingCall<ExecIn, object> {
  return (call) => {
    let child: ExecChild | undefined;
    call.on('data', (msg: ExecIn) => {
      try {
        if (!child) {
          if (!msg.cmd?.length) throw new ApiError('Invalid', 'Exec: cmd is required');
          child = spawnInContainer(rt.execTarget(msg.container_id), msg.cmd, msg.tty ? { size: sizeOf(msg), relay: rt.ptyRelay } : undefined);
          child.stdout.on('data', (d: Buffer) => call.write({ stdout: d }));
          child.stderr.on('data', (d: Buffer) => call.write({ stderr: d }));
          child.on('close', (code, sig) => { call.write({ exited: true, exit_code: code ?? (sig ? 137 : 1) }); call.end(); });
          child.stdin.on('error', () => { /* the command may exit before reading its input */ });
        } else {
          const size = sizeOf(msg);
          if (size) child.resize(size);
        }
        if (msg.stdin_data?.length) child.stdin.write(msg.stdin_data);
        if (msg.stdin_close) child.stdin.end();
      } catch (err) {
        call.emit('error', toServiceError(err));
      }
    });
    call.on('end', () => child?.stdin.end());
    call.on('cancelled', () => child?.kill('SIGKILL'));
  };
}

// Attach relays between the call and the container's shim; the end of the shim's stream is the
// container's exit, reported with the exit code the shim recorded.
function attachHandler(rt: ContainerRuntime): grpc.handleBidiStreamingCall<ExecIn, object> {
  return (call) => {
    let sock: Socket | undefined;
    const send = (frame: Buffer) => { if (sock && !sock.destroyed) sock.write(frame); };
    call.on('data', (msg: ExecIn) => {
      try {
        if (!sock) {
          const r = rt.execTarget(msg.container_id);
          let connected = false;
          sock = connectAttach(r.id);
          sock.on('connect', () => { connected = true; });
          const parser = new AttachFrameParser((type, payload) => call.write(type === FRAME.stderr ? { stderr: payload } : { stdout: payload }));
          sock.on('data', (d: Buffer) => parser.push(d));
          sock.on('error', (err) => {
            if (!connected) call.emit('error', toServiceError(new ApiError('BadRequest', `container "${r.config.metadata?.name}" cannot be attached: ${err.message}`)));
          });
          sock.on('close', () => {
            if (!connected) return;
            void pollUntil(() => rt.containers.phase(r) === 'exited', 2000, 20).then(() => {
              call.write({ exited: true, exit_code: r.exit?.code ?? 0 });
              call.end();
            });
          });
          if (msg.stdin) send(attachFrame(FRAME.attachStdin));
        }
        const size = sizeOf(msg);
        if (size) send(resizeFrame(size.cols, size.rows));
        if (msg.stdin_data?.length) send(attachFrame(FRAME.stdin, msg.stdin_data));
        if (msg.stdin_close) send(attachFrame(FRAME.stdinClose));
      } catch (err) {
        call.emit('error', toServiceError(err));
      }
    });
    // The client went away: detaching (with stdinOnce, the shim then closes the container's stdin).
    call.on('end', () => sock?.end());
    call.on('cancelled', () => sock?.destroy());
  };
}

/** Serves the runtime on `unix:<socketPath>`; close() stops accepting and drops the socket. */
export async function serveCri(rt: ContainerRuntime, socketPath: string, log: Logger): Promise<{ close: () => Promise<void> }> {
  const defs = criDefinitions();
  const server = new grpc.Server();
  server.addService(defs.runtime, { ...unaryHandlers(defs.runtime, rt, log), Exec: execHandler(rt), Attach: attachHandler(rt) });
  server.addService(defs.image, unaryHandlers(defs.image, rt, log));
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return {
    close: () => new Promise<void>((resolve) => {
      // In-flight calls get a few seconds; a stuck one must not keep the process alive.
      const force = setTimeout(() => server.forceShutdown(), 5000);
      server.tryShutdown(() => { clearTimeout(force); rmSync(socketPath, { force: true }); resolve(); });
    }),
  };
}

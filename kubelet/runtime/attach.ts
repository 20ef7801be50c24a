/**
 * Attaching to a running container (CRI Attach): the container's shim, which holds its stdin
 * and output (a pipe or a terminal), listens on the abstract unix socket
 * `kubesim-attach-<container id>` (abstract: no path to clean up, and the shim and the runtime
 * share the node's network namespace). Frames both ways are `<type u8><length u32 BE><payload>`;
 * the shim's side is in shim-script.ts.
 */
import { connect, type Socket } from 'node:net';

/** Frame types: from the shim (stdout, stderr) and to it (stdin, stdinClose, resize, attachStdin). */
export const FRAME = { stdout: 1, stderr: 2, stdin: 0, stdinClose: 1, resize: 2, attachStdin: 3 } as const;

/** One frame. */
export function attachFrame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** A resize frame (cols, rows as u16). */
export function resizeFrame(cols: number, rows: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(Math.min(cols, 0xffff), 0);
  p.writeUInt16BE(Math.min(rows, 0xffff), 2);
  return attachFrame(FRAME.resize, p);
}

/** Splits the shim's byte stream into frames. */
export class AttachFrameParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (type: number, payload: Buffer) => void) {}

  /** Feeds bytes in; calls onFrame for each complete frame. */
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) return;
      this.onFrame(this.buf[0], this.buf.subarray(5, 5 + len));
      this.buf = this.buf.subarray(5 + len);
    }
  }
}

/** Connects to a container's shim. */
export function connectAttach(containerId: string): Socket {
  return connect({ path: `\0kubesim-attach-${containerId}` });
}

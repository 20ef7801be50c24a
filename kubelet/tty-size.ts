/**
 * The terminal size of `kubectl exec -it` / `kubectl attach -it`: kubectl sends the size as
 * resize messages ({"Width":w,"Height":h}), the first one right after connecting and another one
 * each time its terminal changes. A tty session waits briefly for the first so the command starts
 * with the right size; every later one is passed on to the runtime, which resizes the terminal.
 */
import type { CriStream } from './runtime/cri-client.js';
import type { TtySize } from './runtime/exec.js';

export type { TtySize };

/** The last size in a chunk of resize messages; undefined when absent, malformed or zero. */
export function parseResize(data: Buffer): TtySize | undefined {
  let found: TtySize | undefined;
  for (const line of data.toString().split('\n')) {
    try {
      const m = JSON.parse(line) as { Width?: number; Height?: number };
      const cols = Math.floor(Number(m.Width));
      const rows = Math.floor(Number(m.Height));
      if (cols > 0 && rows > 0 && cols < 10_000 && rows < 10_000) found = { cols, rows };
    } catch { /* not a whole message */ }
  }
  return found;
}

/** Starts a stream at once, or for a tty on the first resize (at most `waitMs` later); writes before the start are kept. */
export class DeferredExec {
  private stream: CriStream | undefined;
  private readonly pending: object[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  private cancelled = false;

  constructor(private readonly start: (size: TtySize | undefined) => CriStream, waitForSize: boolean, waitMs = 500) {
    if (!waitForSize) this.begin(undefined);
    else this.timer = setTimeout(() => this.begin(undefined), waitMs);
  }

  /** Handles a resize message: the first valid one starts a waiting tty session, later ones resize its terminal. */
  resize(data: Buffer): void {
    const size = parseResize(data);
    if (!this.stream) this.begin(size);
    else if (size) this.stream.write({ resize_cols: size.cols, resize_rows: size.rows });
  }

  /** Writes to the stream, or keeps the message until it starts. */
  write(msg: object): void { if (this.stream) this.stream.write(msg); else this.pending.push(msg); }

  /** Cancels the stream (or its start). */
  cancel(): void { clearTimeout(this.timer); this.stream?.cancel(); this.stream = undefined; this.pending.length = 0; this.cancelled = true; }

  private begin(size: TtySize | undefined): void {
    if (this.stream || this.cancelled) return;
    clearTimeout(this.timer);
    this.stream = this.start(size);
    for (const m of this.pending.splice(0)) this.stream.write(m);
  }
}

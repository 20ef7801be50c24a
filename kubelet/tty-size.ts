/**
 * The terminal size of `kubectl exec -it`: kubectl sends the size as its first resize message
 * ({"Width":w,"Height":h}). The pty is made by the runtime with a default size, so a tty exec
 * waits briefly for that first message and runs the command behind `stty` with it. Later
 * resizes are not applied (the CRI Exec stream carries none).
 */
import type { CriClient } from './runtime/cri-client.js';

type ExecStream = ReturnType<CriClient['exec']>;
/** A terminal size. */
export interface TtySize { cols: number; rows: number }

/** The first size in a resize message; undefined when absent, malformed or zero. */
export function parseResize(data: Buffer): TtySize | undefined {
  try {
    const m = JSON.parse(data.toString().split('\n')[0]) as { Width?: number; Height?: number };
    const cols = Math.floor(Number(m.Width));
    const rows = Math.floor(Number(m.Height));
    return cols > 0 && rows > 0 && cols < 10_000 && rows < 10_000 ? { cols, rows } : undefined;
  } catch { return undefined; }
}

/** `cmd` behind an `stty` setting the size (unchanged without a size). */
export function sizedCommand(cmd: string[], size: TtySize | undefined): string[] {
  return size ? ['sh', '-c', `stty cols ${size.cols} rows ${size.rows} 2>/dev/null; exec "$@"`, 'sh', ...cmd] : cmd;
}

/** Starts an exec at once, or for a tty on the first resize (at most `waitMs` later); writes before the start are kept. */
export class DeferredExec {
  private stream: ExecStream | undefined;
  private readonly pending: object[] = [];
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly start: (size: TtySize | undefined) => ExecStream, waitForSize: boolean, waitMs = 500) {
    if (!waitForSize) this.begin(undefined);
    else this.timer = setTimeout(() => this.begin(undefined), waitMs);
  }

  /** Handles a resize message: the first valid one starts a waiting tty exec. */
  resize(data: Buffer): void { if (!this.stream) this.begin(parseResize(data)); }

  /** Writes to the exec, or keeps the message until it starts. */
  write(msg: object): void { if (this.stream) this.stream.write(msg); else this.pending.push(msg); }

  /** Cancels the exec (or its start). */
  cancel(): void { clearTimeout(this.timer); this.stream?.cancel(); this.stream = undefined; this.pending.length = 0; this.cancelled = true; }

  private cancelled = false;

  private begin(size: TtySize | undefined): void {
    if (this.stream || this.cancelled) return;
    clearTimeout(this.timer);
    this.stream = this.start(size);
    for (const m of this.pending.splice(0)) this.stream.write(m);
  }
}

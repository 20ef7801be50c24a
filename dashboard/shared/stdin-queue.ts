/**
 * The terminal's input until its exec stream is open: keystrokes typed while the WebSocket still
 * connects are kept and sent, in order, once it opens (after the first resize, which starts the
 * command on its terminal); afterwards input goes out at once; once closed it is dropped.
 *
 * Plain TypeScript, no DOM: it lives outside web/src so the node tests compile it to dist/dashboard/shared
 * (vite empties dist/dashboard/web when it bundles the page).
 */
export class StdinQueue<T> {
  private state: 'waiting' | 'open' | 'closed' = 'waiting';
  private readonly pending: T[] = [];

  constructor(private readonly send: (frame: T) => void) {}

  /** Sends the frame now when the stream is open, keeps it while it opens, drops it after the end. */
  push(frame: T): void {
    if (this.state === 'open') this.send(frame);
    else if (this.state === 'waiting') this.pending.push(frame);
  }

  /** The stream is open: what was typed so far goes out in order. */
  open(): void {
    if (this.state !== 'waiting') return;
    this.state = 'open';
    for (const f of this.pending.splice(0)) this.send(f);
  }

  /** The stream ended (or never opened): nothing more is sent. */
  close(): void {
    this.state = 'closed';
    this.pending.length = 0;
  }

  /** Frames waiting for the stream to open. */
  get waiting(): number { return this.pending.length; }
}

/** A live checklist on the terminal (plain lines when stdout is not a TTY). */
export class Checklist {
  private readonly started = Date.now();
  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  /** Runs one step, printing `… what` then `✓ what (1.2s)` or `✗ what: error`. */
  async step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    if (this.out.isTTY) this.out.write(`  … ${what}`);
    try {
      const v = await fn();
      this.line(`  ✓ ${what} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      return v;
    } catch (err) {
      this.line(`  ✗ ${what}: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Seconds since the checklist started. */
  elapsed(): string { return ((Date.now() - this.started) / 1000).toFixed(1); }

  private line(s: string): void {
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${s}\n`);
    else this.out.write(`${s}\n`);
  }
}

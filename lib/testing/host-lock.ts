/**
 * A machine-wide lock between test processes (node --test runs files in parallel): tests that bring
 * up a whole cluster take it so two clusters never start at once on a 2-core machine. A lock whose
 * holder died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

function holderAlive(dir: string): boolean {
  try {
    const pid = Number(readFileSync(`${dir}/pid`, 'utf8'));
    if (!pid) return true; // being written: treat as held
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until the lock `name` is ours; resolves with a release function. */
export async function acquireHostLock(name: string, timeoutMs = 30 * 60_000): Promise<() => void> {
  const dir = `/tmp/kubesim-lock-${name}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(`${dir}/pid`, String(process.pid));
      let released = false;
      const release = () => { if (!released) { released = true; rmSync(dir, { recursive: true, force: true }); } };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!holderAlive(dir)) { rmSync(dir, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for host lock ${name}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

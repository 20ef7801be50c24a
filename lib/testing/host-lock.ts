/**
 * A machine-wide lock between test processes (node --test runs files in parallel): tests that bring
 * up a whole cluster take it so two clusters never start at once on a 2-core machine. A lock whose
 * holder died is taken over. Every step is one atomic rename, so the lock directory always holds
 * its owner's pid: it is made complete elsewhere and renamed into place, and it is moved away
 * (by its owner, or by whoever finds its owner dead) before it is deleted.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// /tmp itself, not os.tmpdir(): every test process must agree on the path whatever its TMPDIR.
const TMP = '/tmp';

function holderPid(dir: string): number | undefined {
  try { return Number(readFileSync(join(dir, 'pid'), 'utf8')) || undefined; } catch { return undefined; }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

// A lock directory without a pid file was left by an older version of this code that died
// between making it and writing its pid (it wrote them in two steps); give such a writer 10 s.
function orphaned(dir: string): boolean {
  try { return Date.now() - statSync(dir).mtimeMs > 10_000; } catch { return false; }
}

/** Moves `dir` aside and deletes it; false when someone else moved it first. */
function removeAtomically(dir: string): boolean {
  const aside = `${dir}.gone-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try { renameSync(dir, aside); } catch { return false; }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

/** Waits until the lock `name` is ours; resolves with a release function. */
export async function acquireHostLock(name: string, timeoutMs = 30 * 60_000): Promise<() => void> {
  const dir = join(TMP, `kubesim-lock-${name}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const staged = mkdtempSync(join(TMP, `kubesim-lock-${name}.new-`));
    writeFileSync(join(staged, 'pid'), String(process.pid));
    try {
      renameSync(staged, dir); // fails while `dir` exists (with its pid file)
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (holderPid(dir) === process.pid) removeAtomically(dir);
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      rmSync(staged, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      const pid = holderPid(dir);
      if (pid !== undefined ? !alive(pid) : orphaned(dir)) { removeAtomically(dir); continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for host lock ${name}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

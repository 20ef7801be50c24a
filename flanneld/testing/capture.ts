/** tshark captures inside a test namespace: started, waited for until it captures, its field output collected. */
import { spawn } from 'node:child_process';
import { waitFor } from '../../lib/testing/wait.js';

/** A running capture; `lines()` resolves with its output lines when tshark stops (count reached or duration over). */
export interface Capture { lines(): Promise<string[]>; kill(): void }

/** Starts `tshark -i iface -f filter -c count -a duration:20 -T fields <args>` in ns and waits until it captures. */
export async function startCapture(ns: string, iface: string, filter: string, count: number, args: string[]): Promise<Capture> {
  const child = spawn('ip', ['netns', 'exec', ns, 'tshark', '-i', iface, '-f', filter, '-c', String(count), '-a', 'duration:20',
    '-T', 'fields', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const done = new Promise((r) => child.once('exit', r));
  const cap: Capture = {
    async lines() { await done; return out.split('\n').filter(Boolean); },
    kill() { child.kill('SIGKILL'); },
  };
  try {
    await waitFor('tshark capturing', () => {
      if (child.exitCode !== null) throw new Error(`tshark exited: ${err}`);
      return err.includes('Capturing on');
    }, { timeoutMs: 15_000 });
  } catch (e) {
    cap.kill();
    throw e;
  }
  return cap;
}

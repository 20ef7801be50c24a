import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { acquireHostLock } from './host-lock.js';

const LOCK_MODULE = new URL('./host-lock.js', import.meta.url).href;

/** A child process that takes the lock, logs enter/leave around `holdMs`, and releases it (or is killed holding it). */
function holder(name: string, log: string, holdMs: number): Promise<number | null> {
  const code = `
    import { acquireHostLock } from ${JSON.stringify(LOCK_MODULE)};
    import { appendFileSync } from 'node:fs';
    const release = await acquireHostLock(${JSON.stringify(name)});
    appendFileSync(${JSON.stringify(log)}, 'enter ' + process.pid + '\\n');
    await new Promise((r) => setTimeout(r, ${holdMs}));
    appendFileSync(${JSON.stringify(log)}, 'leave ' + process.pid + '\\n');
    release();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (c) => resolve(c)));
}

test('host lock: holders in several processes never overlap; a dead holder is taken over', async (t) => {
  const name = `t${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'log');
  const codes = await Promise.all([1, 2, 3, 4, 5].map(() => holder(name, log, 80)));
  assert.deepEqual(codes, [0, 0, 0, 0, 0]);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 10);
  for (let i = 0; i < lines.length; i += 2) {
    const [a, pa] = lines[i].split(' ');
    const [b, pb] = lines[i + 1].split(' ');
    assert.deepEqual([a, b, pa], ['enter', 'leave', pb], `holders overlapped:\n${lines.join('\n')}`);
  }

  // A holder killed while holding the lock: the next one takes it over instead of waiting forever.
  const killed = spawn(process.execPath, ['--input-type=module', '-e', `
    import { acquireHostLock } from ${JSON.stringify(LOCK_MODULE)};
    await acquireHostLock(${JSON.stringify(name)}); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => killed.stdout!.once('data', () => resolve()));
  killed.kill('SIGKILL');
  await new Promise((r) => killed.once('exit', r));
  const release = await acquireHostLock(name, 10_000);
  release();
});

/** Finds and removes mounts below a directory (deepest first), so a state dir can be deleted. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Mount points at or below dir, from /proc/self/mountinfo, deepest first. */
export function mountsBelow(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Lazily unmounts every mount below dir; returns how many were removed. */
export function unmountBelow(dir: string): number {
  let n = 0;
  for (const p of mountsBelow(dir)) {
    try { execFileSync('umount', ['-l', p], { stdio: 'ignore' }); n++; } catch { /* already gone */ }
  }
  return n;
}

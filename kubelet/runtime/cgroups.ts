/**
 * cgroup v1 limits and accounting for containers: memory (limit, OOM kills, usage), cpu
 * (CFS quota/period, shares) and cpuacct (usage). Each container gets the same relative
 * path in every controller, below the runtime's own cgroup so an outer limit still applies.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../lib/errors.js';

const CG_ROOT = '/sys/fs/cgroup';
/** Controllers a container joins. */
export const CONTROLLERS = ['memory', 'cpu', 'cpuacct'] as const;
type Controller = typeof CONTROLLERS[number];

/** Limits to apply (0 or undefined = none). */
export interface CgroupLimits { memoryLimitBytes?: number; cpuQuotaUs?: number; cpuPeriodUs?: number; cpuShares?: number }

/**
 * Makes the v1 controllers visible under /sys/fs/cgroup. `ip netns exec` (how kubesim starts
 * node processes) remounts /sys, which hides them; the runtime then mounts the hierarchies
 * again in its own (private) mount namespace. Returns whether every controller is usable.
 */
export function ensureCgroupMounts(): boolean {
  const usable = (c: string) => existsSync(join(CG_ROOT, c, 'cgroup.procs'));
  if (CONTROLLERS.every(usable)) return true;
  try {
    if (!existsSync(CG_ROOT) || readdirSync(CG_ROOT).length === 0) execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'cgroup_root', CG_ROOT]);
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const ctrls = line.split(':')[1];
      if (!ctrls || ctrls.startsWith('name=') || !CONTROLLERS.some((c) => ctrls.split(',').includes(c))) continue;
      const dir = join(CG_ROOT, ctrls);
      if (!existsSync(join(dir, 'cgroup.procs'))) {
        mkdirSync(dir, { recursive: true });
        execFileSync('mount', ['-t', 'cgroup', '-o', ctrls, 'cgroup', dir]);
      }
      for (const c of ctrls.split(',')) if (c !== ctrls && !existsSync(join(CG_ROOT, c))) symlinkSync(ctrls, join(CG_ROOT, c));
    }
  } catch {
    return false;
  }
  return CONTROLLERS.every(usable);
}

/** This process's cgroup path in a controller, from /proc/self/cgroup. */
export function ownCgroup(controller: Controller): string {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, ctrls, path] = line.split(':');
    if (ctrls?.split(',').includes(controller)) return path;
  }
  return '/';
}

/** Absolute cgroup directories of one container, one per controller. */
export type CgroupDirs = Record<Controller, string>;

/** The directories for relative path `rel` (e.g. "kubesim/<pod>/<ctr>") under the runtime's own cgroups. */
export function cgroupDirs(rel: string): CgroupDirs {
  const out = {} as CgroupDirs;
  for (const c of CONTROLLERS) out[c] = join(CG_ROOT, c, ownCgroup(c), rel);
  return out;
}

function write(dir: string, file: string, value: string | number): void {
  writeFileSync(join(dir, file), String(value));
}

/** Creates the cgroups and applies the limits. */
export function createCgroups(dirs: CgroupDirs, limits: CgroupLimits): void {
  // Never mkdir -p below a folder that is not a cgroup mount: on sysfs Node's recursive mkdir spins forever.
  for (const c of CONTROLLERS) {
    if (!existsSync(join(CG_ROOT, c, 'cgroup.procs'))) throw new ApiError('Unavailable', `cgroup controller ${c} is not mounted at ${join(CG_ROOT, c)}`);
    mkdirSync(dirs[c], { recursive: true });
  }
  if (limits.memoryLimitBytes) {
    write(dirs.memory, 'memory.limit_in_bytes', limits.memoryLimitBytes);
    try { write(dirs.memory, 'memory.swappiness', 0); } catch { /* not settable on every kernel */ }
  }
  if (limits.cpuQuotaUs && limits.cpuQuotaUs > 0) {
    write(dirs.cpu, 'cpu.cfs_period_us', limits.cpuPeriodUs || 100_000);
    write(dirs.cpu, 'cpu.cfs_quota_us', limits.cpuQuotaUs);
  }
  if (limits.cpuShares) write(dirs.cpu, 'cpu.shares', Math.max(2, limits.cpuShares));
}

/** Shell lines that move the shell itself ($$) into the cgroups before it execs the container. */
export function joinScript(dirs: CgroupDirs): string[] {
  return CONTROLLERS.map((c) => `echo $$ > '${dirs[c]}/cgroup.procs'`);
}

/** Pids still in the container's memory cgroup. */
export function cgroupPids(dirs: CgroupDirs | undefined): number[] {
  if (!dirs) return [];
  try {
    return readFileSync(join(dirs.memory, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch { return []; }
}

/** True when the kernel OOM-killed a process of this cgroup. */
export function oomKilled(dirs: CgroupDirs | undefined): boolean {
  if (!dirs) return false;
  try {
    const m = /oom_kill (\d+)/.exec(readFileSync(join(dirs.memory, 'memory.oom_control'), 'utf8'));
    return !!m && Number(m[1]) > 0;
  } catch { return false; }
}

/** CPU (ns) and memory (bytes) used by the container now. */
export function cgroupUsage(dirs: CgroupDirs | undefined): { cpuNs: number; memoryBytes: number; workingSetBytes: number } {
  if (!dirs) return { cpuNs: 0, memoryBytes: 0, workingSetBytes: 0 };
  const num = (p: string) => { try { return Number(readFileSync(p, 'utf8').trim()); } catch { return 0; } };
  const memoryBytes = num(join(dirs.memory, 'memory.usage_in_bytes'));
  let inactiveFile = 0;
  try {
    const m = /^total_inactive_file (\d+)$/m.exec(readFileSync(join(dirs.memory, 'memory.stat'), 'utf8'));
    if (m) inactiveFile = Number(m[1]);
  } catch { /* no stat file */ }
  return { cpuNs: num(join(dirs.cpuacct, 'cpuacct.usage')), memoryBytes, workingSetBytes: Math.max(0, memoryBytes - inactiveFile) };
}

/** Removes the cgroups; one that still holds processes is kept (removal is retried by the caller). */
export function removeCgroups(dirs: CgroupDirs | undefined): void {
  if (!dirs) return;
  for (const c of CONTROLLERS) {
    if (!existsSync(dirs[c])) continue;
    try { rmdirSync(dirs[c]); } catch { /* still has processes: kept for a later removal */ }
  }
}

/**
 * How a process becomes a container, run by /bin/sh after `nsenter --net=<pod netns>
 * unshare --mount --uts`: it joins the cgroups, sets the hostname, mounts a tmpfs for the
 * container's layer, and then — in one `mount -a` over a generated fstab — an overlay of the
 * image's files over the node's / (writes land in the tmpfs and vanish with the container),
 * proc, sys, dev, /tmp, the pod's resolv.conf/hosts/hostname and the volumes. It finally
 * execs `unshare --root --wd` into the command. Few programs run per start (each exec costs
 * milliseconds), and every step is exec-chained, so the container's pid is the shim's child.
 */
import type { CgroupDirs } from './cgroups.js';
import { joinScript } from './cgroups.js';

/** One volume mount: host path → container path. */
export interface ScriptMount { hostPath: string; containerPath: string; readonly: boolean; isFile: boolean }

/** Everything the script needs. */
export interface StartScriptInput {
  /** Empty directory the container's tmpfs is mounted on. */
  layerDir: string;
  imageRootfs?: string;
  podFilesDir: string;
  hostname: string;
  workingDir: string;
  mounts: ScriptMount[];
  cgroups?: CgroupDirs;
  /** File created once the root is complete, just before the command is exec'd. */
  startedFile: string;
  /** Where the generated fstab is written. */
  fstabFile: string;
  /** The container gets a PID namespace of its own (start plan only: the Perl shim makes it). */
  newPidNamespace?: boolean;
}

/** Single-quotes a string for sh. */
export function shq(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** Escapes a path or option for an fstab field (octal escapes for blanks and backslashes). */
export function fstabField(s: string): string {
  return s.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function abs(p: string): string {
  return p.startsWith('/') ? p : `/${p}`;
}

/** The mounts of the container's root, in mount order: [source, target, type, options]. */
function rootMounts(inp: StartScriptInput): Array<[string, string, string, string]> {
  const L = inp.layerDir;
  const root = `${L}/root`;
  const lower = inp.imageRootfs ? `${L}/img:/` : '/';
  const rows: Array<[string, string, string, string]> = [
    ['kubesim-root', root, 'overlay', `lowerdir=${lower},upperdir=${L}/up,workdir=${L}/work`],
    ['proc', `${root}/proc`, 'proc', 'defaults'],
    ['sysfs', `${root}/sys`, 'sysfs', 'ro'],
    ['/dev', `${root}/dev`, 'none', 'rbind'],
    ['tmpfs', `${root}/tmp`, 'tmpfs', 'mode=1777'],
    ...['resolv.conf', 'hosts', 'hostname'].map((f): [string, string, string, string] => [`${inp.podFilesDir}/${f}`, `${root}/etc/${f}`, 'none', 'bind']),
    ...inp.mounts.map((m): [string, string, string, string] => [m.hostPath, `${root}${abs(m.containerPath)}`, 'none', m.readonly ? 'rbind,ro' : 'rbind']),
  ];
  return rows;
}

/** The fstab of the container's root, in mount order. */
export function containerFstab(inp: StartScriptInput): string {
  return rootMounts(inp).map((r) => `${r.map(fstabField).join(' ')} 0 0`).join('\n') + '\n';
}

/** Directories made (mkdir -p) in the layer before the overlay is mounted: its work dir, mount points. */
function layerDirs(inp: StartScriptInput): string[] {
  const L = inp.layerDir;
  const up = (p: string) => `${L}/up${abs(p)}`;
  const parent = (p: string) => abs(p).replace(/\/[^/]*$/, '') || '/';
  return [`${L}/work`, `${L}/img`, `${L}/root`, up('/etc'), up(inp.workingDir || '/'),
    ...inp.mounts.map((m) => up(m.isFile ? parent(m.containerPath) : m.containerPath))];
}

/** Files made empty in the upper layer: the targets of file bind mounts. */
function layerFiles(inp: StartScriptInput): string[] {
  return [...['/etc/resolv.conf', '/etc/hosts', '/etc/hostname'], ...inp.mounts.filter((m) => m.isFile).map((m) => m.containerPath)]
    .map((f) => `${inp.layerDir}/up${abs(f)}`);
}

/** Escapes a start plan field: %, tab and newline as %XX. */
export function planField(s: string): string {
  return s.replace(/[%\t\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// mount(2) flags of the start plan.
const MS_RDONLY = 1;
const MS_BIND = 4096;
const MS_REC = 16384;

/**
 * The same steps as startScript as a plan the Perl shim carries out itself with system calls
 * (no sh, mount, mkdir or unshare programs: each exec costs milliseconds at container start).
 * One step per line, tab-separated fields (planField escapes): newpid; cgroup <cgroup.procs>;
 * hostname <name>; mount <source> <target> <type|-> <flags> <data|->; remount-ro <target>;
 * mkdir <dir>; touch <file>; copy <dir> <into>; started <file>; root <dir> <working dir>.
 */
export function startPlan(inp: StartScriptInput): string {
  const L = inp.layerDir;
  const steps: string[][] = [];
  if (inp.newPidNamespace) steps.push(['newpid']);
  for (const dir of inp.cgroups ? Object.values(inp.cgroups) : []) steps.push(['cgroup', `${dir}/cgroup.procs`]);
  steps.push(['hostname', inp.hostname], ['mount', 'kubesim-layer', L, 'tmpfs', '0', 'mode=755']);
  for (const d of layerDirs(inp)) steps.push(['mkdir', d]);
  for (const f of layerFiles(inp)) steps.push(['touch', f]);
  if (inp.imageRootfs) steps.push(['copy', inp.imageRootfs, `${L}/img`]);
  for (const [source, target, type, options] of rootMounts(inp)) {
    const opts = options.split(',');
    const flags = (opts.includes('ro') ? MS_RDONLY : 0) | (opts.includes('bind') ? MS_BIND : 0) | (opts.includes('rbind') ? MS_BIND | MS_REC : 0);
    const data = opts.filter((o) => !['ro', 'bind', 'rbind', 'defaults'].includes(o)).join(',');
    // A read-only bind is a bind and then a read-only remount (as mount(8) does it).
    const bind = (flags & MS_BIND) !== 0;
    steps.push(['mount', source, target, type === 'none' ? '-' : type, String(bind ? flags & ~MS_RDONLY : flags), data || '-']);
    if (bind && flags & MS_RDONLY) steps.push(['remount-ro', target]);
  }
  steps.push(['started', inp.startedFile], ['root', `${L}/root`, inp.workingDir || '/']);
  return steps.map((s) => s.map(planField).join('\t')).join('\n') + '\n';
}

/** The script; the command to exec comes as its positional arguments ("$@"). */
export function startScript(inp: StartScriptInput): string {
  const L = inp.layerDir;
  // Mount points are made in the upper layer before the overlay exists: one mkdir for all.
  const dirs = layerDirs(inp).map(shq);
  const files = layerFiles(inp);
  return [
    'set -e',
    ...(inp.cgroups ? joinScript(inp.cgroups) : []),
    `echo ${shq(inp.hostname)} > /proc/sys/kernel/hostname`,
    `mount -t tmpfs -o mode=755 kubesim-layer ${shq(L)}`,
    `mkdir -p ${dirs.join(' ')}`,
    ...files.map((f) => `: > ${shq(f)}`),
    // An overlay lower layer may not sit inside another lower layer (/): the image files are copied.
    ...(inp.imageRootfs ? [`cp -a ${shq(inp.imageRootfs)}/. ${shq(`${L}/img/`)}`] : []),
    `mount -a -T ${shq(inp.fstabFile)}`,
    `: > ${shq(inp.startedFile)}`,
    `exec unshare --root=${shq(`${L}/root`)} --wd=${shq(inp.workingDir || '/')} -- "$@"`,
  ].join('\n') + '\n';
}

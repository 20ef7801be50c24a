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

/** The fstab of the container's root, in mount order. */
export function containerFstab(inp: StartScriptInput): string {
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
  return rows.map((r) => `${r.map(fstabField).join(' ')} 0 0`).join('\n') + '\n';
}

/** The script; the command to exec comes as its positional arguments ("$@"). */
export function startScript(inp: StartScriptInput): string {
  const L = inp.layerDir;
  const up = (p: string) => shq(`${L}/up${abs(p)}`);
  const parent = (p: string) => abs(p).replace(/\/[^/]*$/, '') || '/';
  // Mount points are made in the upper layer before the overlay exists: one mkdir for all.
  const dirs = [`${L}/work`, `${L}/img`, `${L}/root`].map(shq).concat(up('/etc'), up(inp.workingDir || '/'),
    ...inp.mounts.map((m) => up(m.isFile ? parent(m.containerPath) : m.containerPath)));
  const files = [...['/etc/resolv.conf', '/etc/hosts', '/etc/hostname'], ...inp.mounts.filter((m) => m.isFile).map((m) => m.containerPath)];
  return [
    'set -e',
    ...(inp.cgroups ? joinScript(inp.cgroups) : []),
    `echo ${shq(inp.hostname)} > /proc/sys/kernel/hostname`,
    `mount -t tmpfs -o mode=755 kubesim-layer ${shq(L)}`,
    `mkdir -p ${dirs.join(' ')}`,
    ...files.map((f) => `: > ${up(f)}`),
    // An overlay lower layer may not sit inside another lower layer (/): the image files are copied.
    ...(inp.imageRootfs ? [`cp -a ${shq(inp.imageRootfs)}/. ${shq(`${L}/img/`)}`] : []),
    `mount -a -T ${shq(inp.fstabFile)}`,
    `: > ${shq(inp.startedFile)}`,
    `exec unshare --root=${shq(`${L}/root`)} --wd=${shq(inp.workingDir || '/')} -- "$@"`,
  ].join('\n') + '\n';
}

/**
 * The shell script that turns a process into a container, run by /bin/sh after
 * `nsenter --net=<pod netns> unshare --mount --uts`: it joins the cgroups, builds a private
 * root (a tmpfs holding an overlay of the image's files over the node's / — writes land
 * in the tmpfs and vanish with the container), mounts proc/sys/dev, the pod's
 * resolv.conf/hosts/hostname and the volumes, sets the hostname, then chroots and execs
 * the command with its working directory. Every step is `exec`-chained, so the container's
 * pid is the shim's child pid.
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
}

/** Single-quotes a string for sh. */
export function shq(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** The script; the command to exec comes as its positional arguments ("$@"). */
export function startScript(inp: StartScriptInput): string {
  const L = shq(inp.layerDir);
  const root = `${L}/root`;
  const at = (p: string) => `${root}${shq(p.startsWith('/') ? p : `/${p}`)}`;
  const lower = inp.imageRootfs ? `${inp.layerDir}/img:/` : '/';
  const lines = [
    'set -e',
    ...(inp.cgroups ? joinScript(inp.cgroups) : []),
    `mount -t tmpfs -o mode=755 kubesim-layer ${L}`,
    `mkdir ${L}/up ${L}/work ${L}/img ${L}/root`,
    // The image files are copied into the tmpfs: an overlay lower layer may not sit inside
    // another lower layer (/), so they cannot be used in place.
    ...(inp.imageRootfs ? [`cp -a ${shq(inp.imageRootfs)}/. ${L}/img/`] : []),
    `mount -t overlay kubesim-root -o ${shq(`lowerdir=${lower},upperdir=${inp.layerDir}/up,workdir=${inp.layerDir}/work`)} ${root}`,
    `mount -t proc proc ${root}/proc`,
    `mount -t sysfs -o ro sysfs ${root}/sys`,
    `mount --rbind /dev ${root}/dev`,
    `mount -t tmpfs -o mode=1777 tmpfs ${root}/tmp`,
    ...['resolv.conf', 'hosts', 'hostname'].map((f) => `[ -e ${root}/etc/${f} ] || touch ${root}/etc/${f}; mount --bind ${shq(`${inp.podFilesDir}/${f}`)} ${root}/etc/${f}`),
  ];
  for (const m of inp.mounts) {
    lines.push(m.isFile ? `mkdir -p "$(dirname ${at(m.containerPath)})" && touch ${at(m.containerPath)}` : `mkdir -p ${at(m.containerPath)}`);
    lines.push(`mount --rbind ${shq(m.hostPath)} ${at(m.containerPath)}`);
    if (m.readonly) lines.push(`mount -o remount,bind,ro ${at(m.containerPath)}`);
  }
  lines.push(`mkdir -p ${at(inp.workingDir || '/')}`);
  lines.push(`hostname ${shq(inp.hostname)}`);
  lines.push(`: > ${shq(inp.startedFile)}`);
  lines.push(`exec chroot ${root} /usr/bin/env -C ${shq(inp.workingDir || '/')} -- "$@"`);
  return lines.join('\n') + '\n';
}

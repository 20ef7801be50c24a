/**
 * Volume setup the kubelet calls before starting a pod's containers, and teardown after the
 * pod is gone. Every volume gets a folder under <podDir>/volumes/<plugin>/<name> (as the
 * kubelet lays them out), which becomes a CRI Mount host_path:
 * emptyDir (disk, or `medium: Memory` = tmpfs with optional sizeLimit), hostPath (with the
 * type checks), configMap and secret (AtomicWriter files; secrets on tmpfs).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../lib/errors.js';
import { runOk } from '../runtime/run.js';
import { writeAtomic, type ProjectedFile } from './atomic-writer.js';

/** True when `path` is a mount point (listed in /proc/self/mounts). */
export function isMountPoint(path: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === path);
}

const TMPFS_MAGIC = 0x01021994;

/** True when `dir` exists on a tmpfs of its own or of a parent (compose: the node's memory-backed pods volume). */
export function inMemory(dir: string): boolean {
  return existsSync(dir) && statfsSync(dir).type === TMPFS_MAGIC;
}

/** True when a secret volume's folder is set up: its own tmpfs, or a folder already in memory. */
export function secretVolumeInPlace(dir: string): boolean {
  return isMountPoint(dir) || inMemory(dir);
}

async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (isMountPoint(dir)) return;
  // A folder already in memory needs no tmpfs of its own (no size limit asked): a kubelet in a
  // container without CAP_SYS_ADMIN whose pods folder is a tmpfs shared with the runtime's
  // container (compose.yaml) cannot mount, and its mount would be invisible to the runtime.
  if (!sizeBytes && inMemory(dir)) return;
  await runOk('mount', ['-t', 'tmpfs', '-o', sizeBytes ? `size=${sizeBytes},mode=0777` : 'mode=0777', 'tmpfs', dir]);
}

/** emptyDir: a fresh folder, or a tmpfs for medium Memory. */
export async function setupEmptyDir(podDir: string, name: string, medium = '', sizeLimitBytes?: number): Promise<string> {
  const dir = join(podDir, 'volumes', 'kubernetes.io~empty-dir', name);
  if (medium === 'Memory') await mountTmpfs(dir, sizeLimitBytes);
  else if (medium && medium !== '') throw new ApiError('Invalid', `emptyDir ${name}: unsupported medium ${JSON.stringify(medium)}`);
  else mkdirSync(dir, { recursive: true, mode: 0o777 });
  return dir;
}

/** hostPath with Kubernetes' type semantics; returns the node path to bind. */
export function setupHostPath(path: string, type = ''): string {
  const st = existsSync(path) ? statSync(path) : undefined;
  const fail = (what: string) => { throw new ApiError('Invalid', `hostPath type check failed: ${path} is not a ${what}`); };
  switch (type) {
    case '': break;
    case 'DirectoryOrCreate': if (!st) mkdirSync(path, { recursive: true, mode: 0o755 }); else if (!st.isDirectory()) fail('directory'); break;
    case 'Directory': if (!st?.isDirectory()) fail('directory'); break;
    case 'FileOrCreate': if (!st) writeFileSync(path, '', { mode: 0o644 }); else if (!st.isFile()) fail('file'); break;
    case 'File': if (!st?.isFile()) fail('file'); break;
    case 'Socket': if (!st?.isSocket()) fail('socket'); break;
    case 'CharDevice': if (!st?.isCharacterDevice()) fail('character device'); break;
    case 'BlockDevice': if (!st?.isBlockDevice()) fail('block device'); break;
    default: throw new ApiError('Invalid', `hostPath ${path}: unsupported type ${JSON.stringify(type)}`);
  }
  return path;
}

/** configMap/secret `items`: which keys to project and where; all keys when empty. */
export interface KeyToPath { key?: string; path?: string; mode?: number }

/** The files a configMap/secret volume shows; a listed key that is missing is an error unless optional. */
export function projectKeys(data: Record<string, string | Buffer>, items: KeyToPath[] | undefined, what: string, optional = false): ProjectedFile[] {
  if (!items?.length) return Object.entries(data).map(([k, v]) => ({ path: k, data: v }));
  return items.flatMap((it) => {
    if (!it.key || !it.path) throw new ApiError('Invalid', `${what}: an item needs key and path`);
    if (!(it.key in data)) {
      if (optional) return [];
      throw new ApiError('Invalid', `configmap references non-existent config key: ${it.key} (${what})`);
    }
    return [{ path: it.path, data: data[it.key], mode: it.mode }];
  });
}

/** configMap volume: files from the ConfigMap's data (and binaryData), updated atomically on each call. */
export function setupConfigMapVolume(podDir: string, name: string, files: ProjectedFile[], defaultMode = 0o644): string {
  const dir = join(podDir, 'volumes', 'kubernetes.io~configmap', name);
  writeAtomic(dir, files, defaultMode);
  return dir;
}

/** secret volume: like configMap but on a tmpfs so the values never touch the node's disk. */
export async function setupSecretVolume(podDir: string, name: string, files: ProjectedFile[], defaultMode = 0o644): Promise<string> {
  const dir = join(podDir, 'volumes', 'kubernetes.io~secret', name);
  await mountTmpfs(dir);
  writeAtomic(dir, files, defaultMode);
  return dir;
}

/** Unmounts every mount below the pod's folder and deletes it. */
export async function teardownPodVolumes(podDir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && (m === podDir || m.startsWith(`${podDir}/`)));
  for (const m of mounts.sort((a, b) => b.length - a.length)) await runOk('umount', ['-l', m]);
  rmSync(podDir, { recursive: true, force: true });
}

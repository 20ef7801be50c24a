/**
 * The kubelet's volume manager, reduced: for each volume of a pod spec, the node folder that
 * containers bind-mount (emptyDir, hostPath, configMap, secret, downwardAPI, projected incl.
 * bound ServiceAccount tokens from the TokenRequest API, rotated by volumes/token-manager.ts),
 * nfs as a machine-wide shared folder, persistentVolumeClaim
 * through its bound hostPath/local/nfs PV).
 * Runs on every sync, so configMap/secret volumes follow updates of their objects and token
 * files are rewritten (atomically) when their token is rotated.
 */
import { createHash } from 'node:crypto';
import { join, normalize } from 'node:path';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from '../lib/api/types.js';
import { tryParseQuantity } from '../lib/api/quantity.js';
import { writeAtomic, type ProjectedFile } from './volumes/atomic-writer.js';
import { projectKeys, secretVolumeInPlace, setupEmptyDir, setupHostPath, setupSecretVolume } from './volumes/volumes.js';
import { configError, decodeSecret, podField } from './container-env.js';
import type { TokenProjection } from './volumes/token-manager.js';

/** Object lookups the volumes need (informer caches). */
export interface VolumeSources {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  /** Folder standing in for NFS servers: <nfsRoot>/<server>/<path> is shared by every pod on this machine. */
  nfsRoot: string;
  /** A bound token for a projected serviceAccountToken source (ServiceAccountTokenManager.token). */
  serviceAccountToken?(pod: Pod, projection: TokenProjection): Promise<string>;
}

/** The node folder standing in for an NFS export. */
export function nfsPath(root: string, server: string, path: string): string {
  if (!server) throw configError('nfs volume: server is required');
  return join(root, server.replace(/[^A-Za-z0-9.-]/g, '_'), normalize(`/${path}`));
}

const written = new Map<string, string>();

/** Writes projected files only when they changed, so an unchanged volume keeps its ..data folder. */
function project(dir: string, files: ProjectedFile[], mode?: number): void {
  const hash = createHash('sha256').update(JSON.stringify(files.map((f) => [f.path, f.data.toString('base64' as BufferEncoding), f.mode]))).update(String(mode)).digest('hex');
  if (written.get(dir) === hash) return;
  writeAtomic(dir, files, mode);
  written.set(dir, hash);
}

function configMapData(cm: ConfigMap): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = { ...(cm.data ?? {}) };
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

async function projectedFiles(pod: Pod, v: Volume, src: VolumeSources): Promise<ProjectedFile[]> {
  const ns = pod.metadata!.namespace!;
  const files: ProjectedFile[] = [];
  for (const s of v.projected?.sources ?? []) {
    if (s.configMap) {
      const cm = src.configMap(ns, s.configMap.name ?? '');
      if (!cm && !s.configMap.optional) throw configError(`configmap "${s.configMap.name}" not found`);
      if (cm) files.push(...projectKeys(configMapData(cm), s.configMap.items, `configmap ${s.configMap.name}`, s.configMap.optional));
    } else if (s.secret) {
      const sec = src.secret(ns, s.secret.name ?? '');
      if (!sec && !s.secret.optional) throw configError(`secret "${s.secret.name}" not found`);
      if (sec) files.push(...projectKeys(decodeSecret(sec), s.secret.items, `secret ${s.secret.name}`, s.secret.optional));
    } else if (s.downwardAPI) files.push(...downwardFiles(pod, s.downwardAPI.items ?? []));
    else if (s.serviceAccountToken) {
      if (!src.serviceAccountToken) throw configError('serviceAccountToken volume: this kubelet cannot request tokens');
      const token = await src.serviceAccountToken(pod, s.serviceAccountToken).catch((err: Error) => {
        throw configError(`failed to fetch token: ${err.message}`);
      });
      files.push({ path: s.serviceAccountToken.path ?? 'token', data: token });
    }
  }
  return files;
}

function downwardFiles(pod: Pod, items: Array<{ path?: string; fieldRef?: { fieldPath?: string } }>): ProjectedFile[] {
  return items.filter((i) => i.path && i.fieldRef?.fieldPath).map((i) => {
    const fp = i.fieldRef!.fieldPath!;
    const whole = fp === 'metadata.labels' || fp === 'metadata.annotations';
    const data = whole ? Object.entries(pod.metadata?.[fp === 'metadata.labels' ? 'labels' : 'annotations'] ?? {}).map(([k, val]) => `${k}="${val}"`).join('\n') : podField(pod, fp, { podIP: pod.status?.podIP ?? '', hostIP: pod.status?.hostIP ?? '' });
    return { path: i.path!, data };
  });
}

/** Makes every volume ready; returns volume name → node path. Throws a config error for missing sources. */
export async function setupPodVolumes(pod: Pod, podDir: string, src: VolumeSources): Promise<Map<string, string>> {
  const ns = pod.metadata!.namespace!;
  const out = new Map<string, string>();
  for (const v of pod.spec?.volumes ?? []) {
    const name = v.name!;
    if (v.emptyDir) {
      out.set(name, await setupEmptyDir(podDir, name, v.emptyDir.medium ?? '', tryParseQuantity(v.emptyDir.sizeLimit ?? '')?.value));
    } else if (v.hostPath) {
      out.set(name, setupHostPath(v.hostPath.path ?? '', v.hostPath.type ?? ''));
    } else if (v.configMap) {
      const cm = src.configMap(ns, v.configMap.name ?? '');
      if (!cm && !v.configMap.optional) throw configError(`configmap "${v.configMap.name}" not found`);
      const dir = join(podDir, 'volumes', 'kubernetes.io~configmap', name);
      project(dir, cm ? projectKeys(configMapData(cm), v.configMap.items, `configmap ${v.configMap.name}`, v.configMap.optional) : [], v.configMap.defaultMode);
      out.set(name, dir);
    } else if (v.secret) {
      const s = src.secret(ns, v.secret.secretName ?? '');
      if (!s && !v.secret.optional) throw configError(`secret "${v.secret.secretName}" not found`);
      const files = s ? projectKeys(decodeSecret(s), v.secret.items, `secret ${v.secret.secretName}`, v.secret.optional) : [];
      const dir = join(podDir, 'volumes', 'kubernetes.io~secret', name);
      // Mount and fill the tmpfs once; later syncs rewrite only when the Secret changed (an empty
      // write on every sync wiped the files while project's cache said they were current).
      if (!secretVolumeInPlace(dir)) { written.delete(dir); await setupSecretVolume(podDir, name, files, v.secret.defaultMode); }
      project(dir, files, v.secret.defaultMode);
      out.set(name, dir);
    } else if (v.downwardAPI || v.projected) {
      const dir = join(podDir, 'volumes', `kubernetes.io~${v.projected ? 'projected' : 'downward-api'}`, name);
      project(dir, v.projected ? await projectedFiles(pod, v, src) : downwardFiles(pod, v.downwardAPI!.items ?? []), (v.projected ?? v.downwardAPI)?.defaultMode);
      out.set(name, dir);
    } else if (v.nfs) {
      out.set(name, setupHostPath(nfsPath(src.nfsRoot, v.nfs.server ?? '', v.nfs.path ?? '/'), 'DirectoryOrCreate'));
    } else if (v.persistentVolumeClaim) {
      const claim = v.persistentVolumeClaim.claimName ?? '';
      const pvc = src.pvc(ns, claim);
      if (!pvc) throw configError(`persistentvolumeclaim "${claim}" not found`);
      const pv = pvc.spec?.volumeName ? src.pv(pvc.spec.volumeName) : undefined;
      if (!pv || pvc.status?.phase !== 'Bound') throw configError(`persistentvolumeclaim "${claim}" is not bound`);
      const nfs = pv.spec?.nfs;
      const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path ?? (nfs ? nfsPath(src.nfsRoot, nfs.server ?? '', nfs.path ?? '/') : undefined);
      if (!path) throw configError(`persistentvolume "${pv.metadata?.name}" has no hostPath or local path kubesim can mount`);
      out.set(name, setupHostPath(path, 'DirectoryOrCreate'));
    } else {
      throw configError(`volume "${name}": unsupported volume type`);
    }
  }
  return out;
}

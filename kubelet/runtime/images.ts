/**
 * Built-in images: each folder images/<name>/ has an image.json manifest (names it answers
 * to, entrypoint, cmd, env, workingDir, exposed ports; ${IMAGE_DIR} is the folder as containers
 * see it, bound read-only at IMAGE_MOUNT) and optionally a rootfs/ folder laid over the node's file
 * system (copied per container start, so only for files that must sit at fixed paths). Any tag, digest and registry prefix of a name resolves to
 * it (nginx:1.14.2, docker.io/library/nginx, registry.k8s.io/nginx-slim:0.8); an image map
 * file adds more names, with * wildcards. Unknown names are an ErrImagePull-style error.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../lib/errors.js';

/** An image.json manifest as written in images/<name>/. */
export interface ImageManifest {
  names: string[];
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  exposedPorts?: number[];
  /** The image runs one of kubesim's own programs: the installation (dist/ + node_modules) is bound at APP_MOUNT. */
  usesApp?: boolean;
}

/** A resolved built-in image. */
export interface BuiltinImage {
  /** Folder name under images/. */
  name: string;
  /** "sha256:<hex>" of the manifest. */
  id: string;
  dir: string;
  /** Folder laid over / in the container, when the image has one. */
  rootfs?: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  exposedPorts: number[];
  names: string[];
  usesApp: boolean;
}

/** The repository part of a reference: no registry host, no library/, no tag or digest. */
export function normalizeRef(ref: string): string {
  let r = ref.trim().toLowerCase();
  const at = r.indexOf('@');
  if (at >= 0) r = r.slice(0, at);
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  if (colon > slash) r = r.slice(0, colon);
  const parts = r.split('/');
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
}

/** Parses an image map file: lines "<pattern> <builtin>" (# comments), or a JSON object. */
export function parseImageMap(text: string): Array<{ pattern: RegExp; target: string }> {
  const t = text.trim();
  const pairs: Array<[string, string]> = t.startsWith('{')
    ? Object.entries(JSON.parse(t) as Record<string, string>)
    : t.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).map((l) => {
      const [p, target] = l.split(/\s+/);
      if (!target) throw new ApiError('Invalid', `image map line ${JSON.stringify(l)}: expected "<pattern> <image>"`);
      return [p, target];
    });
  return pairs.map(([p, target]) => ({ pattern: wildcard(p.toLowerCase()), target }));
}

/** Where every container sees its image's folder (bound read-only). */
export const IMAGE_MOUNT = '/.kubesim/image';
/** Where images with `usesApp` see the kubesim installation (${APP_DIR}). */
export const APP_MOUNT = '/.kubesim/app';
/** The kubesim installation this runtime runs from (the folder holding dist/ and node_modules/). */
export const APP_DIR = join(import.meta.dirname, '..', '..', '..');

/** The set of built-in images found in a folder, plus the image map. */
export class ImageRegistry {
  private readonly byName = new Map<string, BuiltinImage>();
  private readonly images: BuiltinImage[] = [];
  private readonly map: Array<{ pattern: RegExp; target: string }>;

  constructor(imagesDir: string, imageMapText = '') {
    for (const name of readdirSync(imagesDir).sort()) {
      const dir = join(imagesDir, name);
      const manifestPath = join(dir, 'image.json');
      if (!existsSync(manifestPath)) continue;
      const raw = readFileSync(manifestPath, 'utf8');
      const m = JSON.parse(raw) as ImageManifest;
      // ${IMAGE_DIR} is where the container sees the image folder (bound there read-only), not the host path:
      // the host path may be hidden inside the container (e.g. a checkout under /tmp, which gets its own tmpfs).
      const sub = (s: string) => s.replaceAll('${IMAGE_DIR}', IMAGE_MOUNT).replaceAll('${APP_DIR}', APP_MOUNT);
      const rootfs = join(dir, 'rootfs');
      const img: BuiltinImage = {
        name, dir, id: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
        rootfs: existsSync(rootfs) && statSync(rootfs).isDirectory() ? rootfs : undefined,
        entrypoint: (m.entrypoint ?? []).map(sub), cmd: (m.cmd ?? []).map(sub), env: (m.env ?? []).map(sub),
        workingDir: m.workingDir ?? '/', exposedPorts: m.exposedPorts ?? [], names: m.names, usesApp: !!m.usesApp,
      };
      this.images.push(img);
      for (const n of [name, ...m.names]) this.byName.set(normalizeRef(n), img);
    }
    this.map = imageMapText ? parseImageMap(imageMapText) : [];
  }

  /** All built-in images. */
  list(): BuiltinImage[] { return [...this.images]; }

  /** The image a reference names, or undefined. */
  find(ref: string): BuiltinImage | undefined {
    if (ref.startsWith('sha256:')) return this.images.find((i) => i.id === ref);
    const norm = normalizeRef(ref);
    const direct = this.byName.get(norm);
    if (direct) return direct;
    for (const { pattern, target } of this.map) {
      if (pattern.test(ref.toLowerCase()) || pattern.test(norm)) return this.byName.get(normalizeRef(target));
    }
    return undefined;
  }

  /** The image a reference names; throws the error a failed pull gives. */
  resolve(ref: string): BuiltinImage {
    if (!ref.trim()) throw new ApiError('Invalid', 'image reference is empty');
    const img = this.find(ref);
    if (!img) {
      throw new ApiError('NotFound', `ErrImagePull: failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found (kubesim has no registry; built-in images: ${this.images.map((i) => i.names[0] ?? i.name).join(', ')})`);
    }
    return img;
  }
}

/** Default images folder: dist/images next to the compiled runtime (or images/ in the source tree). */
export function defaultImagesDir(): string {
  return new URL('../../images', import.meta.url).pathname;
}

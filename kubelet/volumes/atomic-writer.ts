/**
 * Kubernetes' AtomicWriter for configMap/secret/downwardAPI volumes: the files live in a
 * timestamped folder, `..data` is a symlink to it and each visible name is a symlink through
 * `..data`. An update writes a new folder and renames a new `..data` link over the old one
 * (rename is atomic), so a reader sees either the old or the new set, never a mix; this is
 * how a running pod sees ConfigMap updates.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ApiError } from '../../lib/errors.js';

/** One file to project: relative path, content, optional mode (e.g. 0o644). */
export interface ProjectedFile { path: string; data: string | Buffer; mode?: number }

const DATA = '..data';

function checkPath(p: string): void {
  const n = normalize(p);
  if (!p || p.startsWith('/') || n.startsWith('..') || n.split('/').some((s) => s === '..' || s.startsWith('..'))) {
    throw new ApiError('Invalid', `invalid volume file path ${JSON.stringify(p)}: must be relative and may not contain '..'`);
  }
}

/** Replaces the projected files in `dir` with `files` atomically; returns the names written. */
export function writeAtomic(dir: string, files: ProjectedFile[], defaultMode = 0o644): string[] {
  for (const f of files) checkPath(f.path);
  mkdirSync(dir, { recursive: true });
  const oldTarget = existsSync(join(dir, DATA)) ? readlinkSync(join(dir, DATA)) : undefined;
  const tsDir = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const full = join(dir, tsDir);
  mkdirSync(full);
  for (const f of files) {
    const target = join(full, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.data);
    chmodSync(target, f.mode ?? defaultMode);
  }
  symlinkSync(tsDir, join(dir, `${DATA}_tmp`));
  renameSync(join(dir, `${DATA}_tmp`), join(dir, DATA));
  // Visible names: one symlink per top-level path component, through ..data.
  const top = new Set(files.map((f) => normalize(f.path).split('/')[0]));
  for (const name of top) {
    const link = join(dir, name);
    if (!existsSync(link) || !lstatSync(link).isSymbolicLink()) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(join(DATA, name), link);
    }
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || top.has(name)) continue;
    rmSync(join(dir, name), { recursive: true, force: true }); // a key removed from the ConfigMap
  }
  if (oldTarget && oldTarget !== tsDir) rmSync(join(dir, oldTarget), { recursive: true, force: true });
  return [...top];
}

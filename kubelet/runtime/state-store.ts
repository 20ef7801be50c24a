/** The runtime's on-disk state: one JSON file per record, written atomically (tmp + rename). */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes JSON so a crash leaves either the old or the new file, never half of one. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 1));
  renameSync(`${path}.tmp`, path);
}

/** Reads a JSON file, or undefined when it does not exist or is unreadable. */
export function readJson<T>(path: string): T | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as T; } catch { return undefined; }
}

/** Records of one kind stored as <root>/<id>/<file>; loads them all back after a restart. */
export class RecordDir<T extends { id: string }> {
  constructor(readonly root: string, private readonly file: string) {
    mkdirSync(root, { recursive: true });
  }
  /** The record's own directory (created on demand). */
  dir(id: string): string {
    const d = join(this.root, id);
    mkdirSync(d, { recursive: true });
    return d;
  }
  /** Persists a record. */
  save(rec: T): void { writeJsonAtomic(join(this.dir(rec.id), this.file), rec); }
  /** Every stored record. */
  loadAll(): T[] {
    const out: T[] = [];
    for (const id of readdirSync(this.root)) {
      const rec = readJson<T>(join(this.root, id, this.file));
      if (rec) out.push(rec);
    }
    return out;
  }
  /** Deletes a record and everything in its directory. */
  remove(id: string): void { rmSync(join(this.root, id), { recursive: true, force: true }); }
}

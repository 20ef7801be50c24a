/**
 * The persisted description of a local cluster (cluster.json in its state dir): options it was
 * brought up with, its nodes and the processes started for it. `down` and `status` read it.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_ROOT } from './layout.js';

export interface ProcessRecord {
  component: string; node?: string; pid: number; log: string; args: string[];
  /** Extra environment a restart must give it again (e.g. a chaos clock skew). */
  env?: Record<string, string>;
}

export interface ClusterState {
  name: string;
  index: number;
  backend: string;
  nodes: { name: string; index: number }[];
  processes: ProcessRecord[];
  createdAt: string;
  options: Record<string, unknown>;
}

/** Reads a cluster's state, or undefined when there is none. */
export function readState(name: string): ClusterState | undefined {
  const file = join(STATE_ROOT, name, 'cluster.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

/** Writes a cluster's state atomically. */
export function writeState(state: ClusterState): void {
  const dir = join(STATE_ROOT, state.name);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, 'cluster.json.tmp');
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, join(dir, 'cluster.json'));
}

/** Names of every cluster with a state dir. */
export function listClusters(): string[] {
  if (!existsSync(STATE_ROOT)) return [];
  return readdirSync(STATE_ROOT).filter((n) => existsSync(join(STATE_ROOT, n, 'cluster.json')));
}

/** A free slot for a new cluster (the default name always gets 0). */
export function pickIndex(name: string): number {
  if (name === 'kubesim') return 0;
  const used = new Set(listClusters().map((n) => readState(n)?.index));
  for (let i = 1; i < 50; i++) if (!used.has(i)) return i;
  throw new Error('too many local clusters (50); remove some with `kubesim down --name ...`');
}

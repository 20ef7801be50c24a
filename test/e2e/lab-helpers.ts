/**
 * Helpers shared by the seed labs: apply YAML with the real kubectl, read pods as rows, find the
 * underlay bridge of a cluster. Built on helpers.ts (the lead's), which brings the cluster up.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { E2ECluster } from './helpers.js';
import { waitFor } from '../../lib/testing/wait.js';

/** One pod as the labs look at it. */
export interface PodRow { name: string; ip: string; node: string; phase: string; ready: boolean; labels: Record<string, string> }

/** Writes `yaml` to a temporary file named `file` and runs `kubectl apply -f` on it, as the seeds do. */
export async function applyYaml(c: E2ECluster, file: string, yaml: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-lab-'));
  try {
    writeFileSync(join(dir, file), yaml);
    return await c.kubectl('apply', '-f', join(dir, file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pods matching `selector` (a label selector, or '' for all) in namespace `ns`. */
export async function podRows(c: E2ECluster, selector: string, ns = 'default'): Promise<PodRow[]> {
  const args = ['get', 'pods', '-n', ns, '-o', 'json', ...(selector ? ['-l', selector] : [])];
  const out = JSON.parse(await c.kubectl(...args)) as { items: { metadata: { name: string; labels?: Record<string, string> }; status: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] }; spec: { nodeName?: string } }[] };
  return out.items.map((p) => ({
    name: p.metadata.name,
    ip: p.status.podIP ?? '',
    node: p.spec.nodeName ?? '',
    phase: p.status.phase ?? '',
    ready: !!p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
    labels: p.metadata.labels ?? {},
  }));
}

/** Waits until exactly `n` pods match `selector` and all are Running and Ready; returns them. */
export async function waitRunning(c: E2ECluster, selector: string, n: number, timeoutMs = 150_000): Promise<PodRow[]> {
  try {
    return await waitFor(`${n} pods ${selector} Running and Ready`, async () => {
      const p = await podRows(c, selector);
      return p.length === n && p.every((x) => x.phase === 'Running' && x.ready && x.ip) && p;
    }, { timeoutMs, intervalMs: 500 });
  } catch (err) {
    // Say why: the pods' state and their events are what a student would look at next.
    const why = await c.kubectl('describe', 'pods', '-l', selector).catch((e: Error) => e.message);
    throw new Error(`${(err as Error).message}\n${why.split('\n').filter((l) => /^Name:|^Node:|^Status:|Reason|Warning|Normal/.test(l.trim())).join('\n')}`);
  }
}

/** Reads one field of an object with a jsonpath, e.g. jsonpath(c, 'svc', 'whoami', '{.spec.clusterIP}'). */
export async function jsonpath(c: E2ECluster, kind: string, name: string, path: string, ns = 'default'): Promise<string> {
  return (await c.kubectl('get', kind, name, '-n', ns, '-o', `jsonpath=${path}`)).trim();
}

/** The underlay address of each node (InternalIP), by node name. */
export async function nodeAddresses(c: E2ECluster): Promise<Map<string, string>> {
  const out = JSON.parse(await c.kubectl('get', 'nodes', '-o', 'json')) as { items: { metadata: { name: string }; status: { addresses?: { type: string; address: string }[] } }[] };
  return new Map(out.items.map((n) => [n.metadata.name, n.status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '']));
}

/** The root-namespace bridge of the cluster's underlay (kubesim0, kubesim1, ...), from a node address 10.200.<i>.x. */
export function underlayBridge(nodeIP: string): string {
  const i = Number(nodeIP.split('.')[2]);
  return i === 0 ? 'kubesim0' : `kubesim${i}`;
}

/**
 * Test harness: a real runtime serving CRI on a unix socket in a temp dir, with a test-made
 * node namespace, a fake flannel subnet.env and unique netns/cgroup names; cleanup() removes
 * every sandbox, namespace, cgroup and temp file, also after a failed test.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerRuntime } from '../runtime/runtime-service.js';
import { serveCri } from '../runtime/cri-server.js';
import { CriClient } from '../runtime/cri-client.js';
import { ImageRegistry, defaultImagesDir } from '../runtime/images.js';
import { createLogger } from '../runtime/log.js';
import { CONTROLLERS, ownCgroup } from '../runtime/cgroups.js';
import { signal } from '../runtime/procs.js';
import { createNetns, deleteNetns, tempDir } from './netns.js';
import { httpRequest } from './http-request.js';

/** A running runtime under test. */
export interface RuntimeHarness {
  rt: ContainerRuntime;
  cri: CriClient;
  node: string;
  dir: string;
  subnetPrefix: string;
  /** RunPodSandbox for a pod named `name`; returns the sandbox id and the config used. */
  runPod(name: string, extra?: Record<string, unknown>): Promise<{ id: string; config: Record<string, unknown> }>;
  /** CreateContainer + StartContainer in a sandbox; returns the container id. */
  startContainer(pod: { id: string; config: object }, config: Record<string, unknown>): Promise<string>;
  /** ContainerStatus.status of a container. */
  status(id: string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Restarts the runtime process-equivalent: new instance, same state directory. */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

function rmTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmTree(join(dir, e.name));
  try { rmdirSync(dir); } catch { /* still in use */ }
}

/** Starts a runtime for a test; the third octet picks the node subnet 10.244.<octet>.0/24. */
export async function startRuntimeHarness(octet: number, opts: { shim?: 'perl' | 'node'; cgroups?: boolean } = {}): Promise<RuntimeHarness> {
  const tmp = tempDir();
  const tag = randomBytes(3).toString('hex');
  const node = await createNetns(`ksimt-n${tag}`);
  const subnetFile = join(tmp.dir, 'subnet.env');
  writeFileSync(subnetFile, `FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.${octet}.1/24\nFLANNEL_MTU=1450\n`);
  const socket = join(tmp.dir, 'cri.sock');
  const cgroupPrefix = `ksimt-${tag}`;
  const make = () => new ContainerRuntime({
    rootDir: join(tmp.dir, 'state'), logRoot: join(tmp.dir, 'logs'), images: new ImageRegistry(defaultImagesDir()),
    cni: { name: 'cbr0', subnetFile, dataDir: join(tmp.dir, 'ipam') }, nodeNetns: node, netnsPrefix: `ksimt-${tag}-`, cgroupPrefix,
    log: createLogger('container-runtime', true), shim: opts.shim, cgroups: opts.cgroups,
  });
  const h: RuntimeHarness = {
    rt: make(), cri: undefined as unknown as CriClient, node, dir: tmp.dir, subnetPrefix: `10.244.${octet}.`, restart: async () => {}, cleanup: async () => {},
    async runPod(name, extra = {}) {
      const config = sandboxConfig(name, extra);
      return { id: (await h.cri.call('RunPodSandbox', { config })).pod_sandbox_id as string, config };
    },
    async startContainer(pod, config) {
      const { container_id } = await h.cri.call('CreateContainer', { pod_sandbox_id: pod.id, config, sandbox_config: pod.config });
      await h.cri.call('StartContainer', { container_id });
      return container_id as string;
    },
    async status(id) { return (await h.cri.call('ContainerStatus', { container_id: id })).status; },
  };
  let server = await serveCri(h.rt, socket, createLogger('cri', true));
  h.cri = new CriClient(socket);
  h.restart = async () => {
    h.cri.close();
    await server.close();
    h.rt.close();
    h.rt = make();
    server = await serveCri(h.rt, socket, createLogger('cri', true));
    h.cri = new CriClient(socket);
  };
  h.cleanup = async () => {
    // Every step runs even when an earlier one fails, so nothing outlives a broken test.
    const steps: Array<() => unknown> = [
      () => h.cri.close(),
      () => server.close(),
      () => h.rt.close(),
      async () => {
        for (const c of h.rt.containers.list()) {
          if (c.pid) signal(-c.pid, 'SIGKILL');
          await h.rt.containers.remove(c.id).catch(() => {});
        }
      },
      async () => { for (const s of h.rt.sandboxes.list()) await h.rt.sandboxes.remove(s.id).catch(() => {}); },
      async () => { for (const n of readdirSync('/run/netns').filter((x) => x.startsWith(`ksimt-${tag}-`))) await deleteNetns(n); },
      () => deleteNetns(node),
      () => { for (const c of CONTROLLERS) rmTree(join('/sys/fs/cgroup', c, ownCgroup(c), cgroupPrefix)); },
      () => tmp.remove(),
    ];
    for (const step of steps) {
      try { await step(); } catch { /* keep cleaning */ }
    }
  };
  return h;
}

/** A minimal valid PodSandboxConfig for pod `name` in namespace `ns`. */
export function sandboxConfig(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}-${randomBytes(2).toString('hex')}`, attempt: 0 }, hostname: name, ...extra };
}

/** HTTP GET from inside a netns; resolves with status and body, or rejects. */
export function httpGet(ns: string, url: string): Promise<{ status: number; body: string }> {
  return httpRequest(ns, 'GET', url);
}

/**
 * The CRI RuntimeService and ImageService semantics over the sandbox, container and image
 * stores: each method takes the decoded request message and returns the response message.
 * The gRPC edge (cri-server.ts) only moves these objects and maps errors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { runtime } from '../../proto/gen/cri.js';
import { ApiError } from '../../lib/errors.js';
import type { BridgeNetConf } from '../cni/bridge-plugin.js';
import { cgroupUsage, ensureCgroupMounts } from './cgroups.js';
import { ContainerStore, type ContainerRecord } from './containers.js';
import { execSync } from './exec.js';
import type { BuiltinImage, ImageRegistry } from './images.js';
import { createLogger, type Logger } from './log.js';
import { SandboxStore, type SandboxRecord } from './sandboxes.js';
import { SHIM_SOURCE } from './shim-script.js';
import { SHIM_JS_SOURCE } from './shim-js.js';
import { ShimLauncher } from './shim-launcher.js';
import { PTY_RELAY_SOURCE } from './pty-perl.js';
import { spawnSync } from 'node:child_process';

type Labels = { [k: string]: string } | null | undefined;

/** Runtime settings (flags of kubelet/runtime/main.ts). */
export interface RuntimeOptions {
  rootDir: string;
  logRoot?: string;
  images: ImageRegistry;
  cni: BridgeNetConf;
  nodeNetns?: string;
  netnsPrefix?: string;
  cgroupPrefix?: string;
  log?: Logger;
  /** Force a shim implementation (default: perl when it works, else node). */
  shim?: 'perl' | 'node';
  /** false = run without cgroups even where they exist (default: use them when usable). */
  cgroups?: boolean;
}

/** Writes the shim scripts and returns the command that runs one (perl, or node as the fallback). */
export function pickShim(rootDir: string, force?: 'perl' | 'node'): string[] {
  const pl = join(rootDir, 'shim.pl');
  const js = join(rootDir, 'shim.mjs');
  writeFileSync(pl, SHIM_SOURCE);
  writeFileSync(js, SHIM_JS_SOURCE);
  writeFileSync(join(rootDir, 'pty.pl'), PTY_RELAY_SOURCE);
  const perlWorks = force !== 'node' && spawnSync('perl', ['-MPOSIX', '-MIO::Select', '-MSocket', '-MFcntl', '-e', '1'], { stdio: 'ignore' }).status === 0;
  return perlWorks ? ['perl', pl] : [process.execPath, js];
}

const SANDBOX_READY = 0;
const SANDBOX_NOTREADY = 1;
const STATE: Record<string, number> = { created: 0, running: 1, exited: 2 };

function matchLabels(have: Labels, want: Labels): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);
}

/** The runtime: CRI calls in, pods and containers out. */
export class ContainerRuntime {
  readonly sandboxes: SandboxStore;
  readonly containers: ContainerStore;
  readonly images: ImageRegistry;
  /** The exec terminal relay (perl pty.pl), when Perl is there; else `script` gives execs their terminal. */
  readonly ptyRelay?: string[];
  private readonly shims: ShimLauncher;
  private readonly log: Logger;

  constructor(opts: RuntimeOptions) {
    mkdirSync(opts.rootDir, { recursive: true });
    const shim = pickShim(opts.rootDir, opts.shim);
    this.shims = new ShimLauncher(shim, shim[0] === 'perl');
    if (shim[0] === 'perl') this.ptyRelay = ['perl', join(opts.rootDir, 'pty.pl')];
    this.log = opts.log ?? createLogger('container-runtime');
    const cgroups = opts.cgroups !== false && ensureCgroupMounts();
    if (!cgroups) this.log.warn('cgroup v1 controllers (memory, cpu, cpuacct) unavailable: containers run without limits or stats');
    this.images = opts.images;
    this.sandboxes = new SandboxStore({
      rootDir: opts.rootDir, logRoot: opts.logRoot ?? '/var/log/pods', cni: opts.cni, nodeNetns: opts.nodeNetns,
      netnsPrefix: opts.netnsPrefix ?? 'cni-', log: this.log,
    });
    this.containers = new ContainerStore({ rootDir: opts.rootDir, cgroupPrefix: opts.cgroupPrefix ?? 'kubesim', cgroups, shims: this.shims, log: this.log }, this.sandboxes, this.images);
    this.log.info('container shim', { shim: shim.join(' ') });
  }

  /** Releases what the runtime holds in this process (the standby shim); pods keep running. */
  close(): void {
    this.shims.close();
  }

  Version(): runtime.v1.VersionResponse.$Properties {
    return { version: '0.1.0', runtime_name: 'kubesim', runtime_version: '0.1.0', runtime_api_version: 'v1' };
  }

  async RunPodSandbox(req: runtime.v1.RunPodSandboxRequest.$Properties): Promise<runtime.v1.RunPodSandboxResponse.$Properties> {
    if (!req.config) throw new ApiError('Invalid', 'RunPodSandbox: config is required');
    return { pod_sandbox_id: (await this.sandboxes.run(req.config)).id };
  }

  async StopPodSandbox(req: runtime.v1.StopPodSandboxRequest.$Properties): Promise<object> {
    const id = req.pod_sandbox_id ?? '';
    for (const c of this.containers.list().filter((c) => c.sandboxId === id)) await this.containers.stop(c.id, 0);
    await this.sandboxes.stop(id);
    return {};
  }

  async RemovePodSandbox(req: runtime.v1.RemovePodSandboxRequest.$Properties): Promise<object> {
    const id = req.pod_sandbox_id ?? '';
    for (const c of this.containers.list().filter((c) => c.sandboxId === id)) await this.containers.remove(c.id);
    await this.sandboxes.remove(id);
    return {};
  }

  private sandboxState(r: SandboxRecord): number {
    return this.sandboxes.isReady(r) ? SANDBOX_READY : SANDBOX_NOTREADY;
  }

  PodSandboxStatus(req: runtime.v1.PodSandboxStatusRequest.$Properties): runtime.v1.PodSandboxStatusResponse.$Properties {
    const r = this.sandboxes.get(req.pod_sandbox_id ?? '');
    const ready = this.sandboxState(r) === SANDBOX_READY;
    return {
      status: {
        id: r.id, metadata: r.config.metadata, state: this.sandboxState(r), created_at: r.createdAt,
        network: { ip: ready ? r.ip : '' }, labels: r.config.labels, annotations: r.config.annotations,
        linux: { namespaces: r.config.linux?.security_context?.namespace_options ?? {}, netns_path: r.netnsPath },
      },
      info: {},
    };
  }

  ListPodSandbox(req: runtime.v1.ListPodSandboxRequest.$Properties): runtime.v1.ListPodSandboxResponse.$Properties {
    const f = req.filter;
    const items = this.sandboxes.list()
      .filter((r) => !f?.id || r.id === f.id)
      .filter((r) => !f?.state || this.sandboxState(r) === f.state.state)
      .filter((r) => matchLabels(r.config.labels, f?.label_selector))
      .map((r) => ({ id: r.id, metadata: r.config.metadata, state: this.sandboxState(r), created_at: r.createdAt, labels: r.config.labels, annotations: r.config.annotations }));
    return { items };
  }

  CreateContainer(req: runtime.v1.CreateContainerRequest.$Properties): runtime.v1.CreateContainerResponse.$Properties {
    if (!req.config) throw new ApiError('Invalid', 'CreateContainer: config is required');
    return { container_id: this.containers.create(req.pod_sandbox_id ?? '', req.config).id };
  }

  async StartContainer(req: runtime.v1.StartContainerRequest.$Properties): Promise<object> {
    await this.containers.start(req.container_id ?? '');
    return {};
  }

  async StopContainer(req: runtime.v1.StopContainerRequest.$Properties): Promise<object> {
    await this.containers.stop(req.container_id ?? '', req.timeout ?? 0);
    return {};
  }

  async RemoveContainer(req: runtime.v1.RemoveContainerRequest.$Properties): Promise<object> {
    await this.containers.remove(req.container_id ?? '');
    return {};
  }

  private containerState(r: ContainerRecord): number {
    return STATE[this.containers.phase(r)];
  }

  ListContainers(req: runtime.v1.ListContainersRequest.$Properties): runtime.v1.ListContainersResponse.$Properties {
    const f = req.filter;
    const containers = this.containers.list()
      .filter((r) => !f?.id || r.id === f.id)
      .filter((r) => !f?.pod_sandbox_id || r.sandboxId === f.pod_sandbox_id)
      .filter((r) => !f?.state || this.containerState(r) === f.state.state)
      .filter((r) => matchLabels(r.config.labels, f?.label_selector))
      .map((r) => ({
        id: r.id, pod_sandbox_id: r.sandboxId, metadata: r.config.metadata, image: { image: r.image.ref }, image_ref: r.image.id,
        state: this.containerState(r), created_at: r.createdAt, labels: r.config.labels, annotations: r.config.annotations,
      }));
    return { containers };
  }

  ContainerStatus(req: runtime.v1.ContainerStatusRequest.$Properties): runtime.v1.ContainerStatusResponse.$Properties {
    const r = this.containers.get(req.container_id ?? '');
    const state = this.containerState(r);
    return {
      status: {
        id: r.id, metadata: r.config.metadata, state, created_at: r.createdAt, started_at: r.startedAt ?? 0,
        finished_at: r.exit?.finishedAt ?? 0, exit_code: r.exit?.code ?? 0, image: { image: r.image.ref }, image_ref: r.image.id,
        reason: r.exit?.reason ?? '', message: r.exit?.message ?? '', labels: r.config.labels, annotations: r.config.annotations,
        mounts: r.config.mounts, log_path: r.logPath, pid: state === 1 ? r.pid : 0,
      },
      info: {},
    };
  }

  private stats(r: ContainerRecord): runtime.v1.ContainerStats.$Properties {
    const u = cgroupUsage(r.cgroups);
    const ts = Date.now() * 1e6;
    return {
      attributes: { id: r.id, metadata: r.config.metadata, labels: r.config.labels, annotations: r.config.annotations },
      cpu: { timestamp: ts, usage_core_nano_seconds: { value: u.cpuNs } },
      memory: { timestamp: ts, working_set_bytes: { value: u.workingSetBytes }, usage_bytes: { value: u.memoryBytes } },
    };
  }

  ContainerStats(req: runtime.v1.ContainerStatsRequest.$Properties): runtime.v1.ContainerStatsResponse.$Properties {
    return { stats: this.stats(this.containers.get(req.container_id ?? '')) };
  }

  ListContainerStats(req: runtime.v1.ListContainerStatsRequest.$Properties): runtime.v1.ListContainerStatsResponse.$Properties {
    const f = req.filter;
    const list = this.containers.list()
      .filter((r) => (!f?.id || r.id === f.id) && (!f?.pod_sandbox_id || r.sandboxId === f.pod_sandbox_id))
      .filter((r) => this.containers.phase(r) === 'running');
    return { stats: list.map((r) => this.stats(r)) };
  }

  /** The running container to exec in; Conflict when it is not running. */
  execTarget(id: string): ContainerRecord {
    const r = this.containers.get(id);
    if (this.containers.phase(r) !== 'running') throw new ApiError('Conflict', `container "${id}" is not running`);
    return r;
  }

  async ExecSync(req: runtime.v1.ExecSyncRequest.$Properties): Promise<runtime.v1.ExecSyncResponse.$Properties> {
    const r = this.execTarget(req.container_id ?? '');
    if (!req.cmd?.length) throw new ApiError('Invalid', 'ExecSync: cmd is required');
    return execSync(r, req.cmd, (req.timeout ?? 0) * 1000);
  }

  private imageMessage(img: BuiltinImage): runtime.v1.Image.$Properties {
    return {
      id: img.id, repo_tags: img.names.map((n) => (n.includes(':') ? n : `${n}:latest`)), size: 0, spec: { image: img.names[0] ?? img.name },
      entrypoint: img.entrypoint, cmd: img.cmd, env: img.env.map((kv) => ({ key: kv.split('=')[0], value: kv.slice(kv.indexOf('=') + 1) })),
      working_dir: img.workingDir, exposed_ports: img.exposedPorts,
    };
  }

  ListImages(req: runtime.v1.ListImagesRequest.$Properties): runtime.v1.ListImagesResponse.$Properties {
    const want = req.filter?.image?.image;
    const list = want ? [this.images.find(want)].filter((i): i is BuiltinImage => !!i) : this.images.list();
    return { images: list.map((i) => this.imageMessage(i)) };
  }

  ImageStatus(req: runtime.v1.ImageStatusRequest.$Properties): runtime.v1.ImageStatusResponse.$Properties {
    const img = this.images.find(req.image?.image ?? '');
    return img ? { image: this.imageMessage(img), info: {} } : { info: {} };
  }

  PullImage(req: runtime.v1.PullImageRequest.$Properties): runtime.v1.PullImageResponse.$Properties {
    return { image_ref: this.images.resolve(req.image?.image ?? '').id };
  }

  RemoveImage(req: runtime.v1.RemoveImageRequest.$Properties): object {
    // Built-in images cannot be deleted; removing one is a no-op, as removing an absent image is in CRI.
    this.images.find(req.image?.image ?? '');
    return {};
  }
}

/**
 * Containers: create (image resolved, argv/env computed, cgroups and start script prepared),
 * start (a detached shim runs the start script in the pod's network namespace with new
 * mount and UTS namespaces), stop (SIGTERM to the container's process group, SIGKILL after
 * the grace period), remove, status (exit code, reason Completed/Error/OOMKilled, times).
 * State lives in <root>/containers/<id>/, so a restarted runtime adopts running containers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { runtime } from '../../proto/gen/cri.js';
import { ApiError } from '../../lib/errors.js';
import { cgroupDirs, cgroupPids, createCgroups, oomKilled, removeCgroups, type CgroupDirs } from './cgroups.js';
import { imageArgv, imageEnv } from './container-spec.js';
import { APP_DIR, APP_MOUNT, IMAGE_MOUNT, type ImageRegistry } from './images.js';
import { RecordDir, readJson } from './state-store.js';
import { isAlive, processStartTime, signal } from './procs.js';
import { pollUntil } from './poll.js';
import { containerFstab, startPlan, startScript } from './start-script.js';
import type { ShimLauncher } from './shim-launcher.js';
import type { SandboxStore } from './sandboxes.js';
import type { Logger } from './log.js';

/** CRI ContainerConfig as decoded from the wire. */
export type ContainerConfig = runtime.v1.ContainerConfig.$Properties;

/** How a container ended, as the shim recorded it (plus the reason the runtime derived). */
export interface ExitInfo { code: number; signal: number; finishedAt: number; reason?: string; message?: string }

/** A container as stored on disk. */
export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  image: { ref: string; id: string; name: string };
  createdAt: number;
  startedAt?: number;
  logPath: string;
  /** Absent when the node has no usable cgroup v1 controllers (no limits, no stats). */
  cgroups?: CgroupDirs;
  argv: string[];
  env: string[];
  /** The container's root as seen inside its mount namespace, and its working directory (for exec). */
  rootPath: string;
  workingDir: string;
  pid?: number;
  pidStart?: number;
  shimPid?: number;
  shimStart?: number;
  exit?: ExitInfo;
  /** The pod's shared PID namespace (entered by execs too), when it has one. */
  pidNamespace?: string;
  /** The container of the same pod whose PID namespace this one joins (CRI namespace_options pid TARGET). */
  targetId?: string;
}

/** CRI NamespaceMode TARGET: the namespace of the container named by target_id. */
const NAMESPACE_TARGET = 3;

/** The observed state of a container. */
export type ContainerPhase = 'created' | 'running' | 'exited';

/** Settings for the container store. */
export interface ContainerOptions {
  rootDir: string;
  cgroupPrefix: string;
  /** Whether cgroup v1 controllers are usable (limits, OOM detection, stats). */
  cgroups: boolean;
  /** Starts the per-container shims. */
  shims: ShimLauncher;
  log: Logger;
}

/** Creates, starts, stops, removes and reports containers. */
export class ContainerStore {
  private readonly records: RecordDir<ContainerRecord>;
  private readonly byId = new Map<string, ContainerRecord>();

  constructor(private readonly opts: ContainerOptions, private readonly sandboxes: SandboxStore, private readonly images: ImageRegistry) {
    this.records = new RecordDir<ContainerRecord>(join(opts.rootDir, 'containers'), 'container.json');
    for (const r of this.records.loadAll()) this.byId.set(r.id, r);
  }

  /** All containers. */
  list(): ContainerRecord[] { return [...this.byId.values()]; }

  /** A container by id; NotFound otherwise. */
  get(id: string): ContainerRecord {
    const r = this.byId.get(id);
    if (!r) throw new ApiError('NotFound', `container "${id}" not found`);
    return r;
  }

  /** Current phase, reading the shim's pid/exit files (and recording the exit once seen). */
  phase(r: ContainerRecord): ContainerPhase {
    if (r.exit) return 'exited';
    const dir = this.records.dir(r.id);
    const exit = readJson<ExitInfo>(join(dir, 'exit'));
    if (exit) { this.recordExit(r, exit); return 'exited'; }
    if (!r.pid) return 'created';
    // Until the shim has reaped the container and written the exit file, it is still running.
    if (isAlive(r.pid, r.pidStart) || isAlive(r.shimPid, r.shimStart)) return 'running';
    // The shim may have written the exit file and exited between the first read and now.
    const late = readJson<ExitInfo>(join(dir, 'exit'));
    if (late) { this.recordExit(r, late); return 'exited'; }
    // Container and shim both gone without an exit file (e.g. the node rebooted).
    this.recordExit(r, { code: 255, signal: 0, finishedAt: Date.now() * 1e6, reason: 'Error', message: 'container process vanished' });
    return 'exited';
  }

  private recordExit(r: ContainerRecord, exit: ExitInfo): void {
    if (!exit.reason) {
      const oom = exit.signal === 9 && oomKilled(r.cgroups);
      exit.reason = oom ? 'OOMKilled' : exit.code === 0 ? 'Completed' : 'Error';
    }
    r.exit = exit;
    this.records.save(r);
  }

  /** CreateContainer. */
  create(sandboxId: string, config: ContainerConfig): ContainerRecord {
    const sb = this.sandboxes.get(sandboxId);
    if (!this.sandboxes.isReady(sb)) throw new ApiError('Conflict', `pod sandbox "${sandboxId}" is not ready`);
    const name = config.metadata?.name;
    if (!name) throw new ApiError('Invalid', 'ContainerConfig.metadata.name is required');
    const img = this.images.resolve(config.image?.image ?? '');
    const argv = imageArgv(img, config.command ?? [], config.args ?? []);
    if (!argv.length) throw new ApiError('Invalid', `container "${name}": no command specified and image ${img.name} has none`);
    const hostname = sb.config.hostname || sb.config.metadata!.name!;
    const ports = config.annotations?.['kubesim.io/ports'] ?? (sb.config.port_mappings ?? []).map((p) => `${p.container_port}/${p.protocol || 'TCP'}`).join(',');
    const envs = [{ name: 'KUBESIM_PORTS', value: ports }, { name: 'KUBESIM_IMAGE_DIR', value: IMAGE_MOUNT }, { name: 'KUBESIM_IMAGE', value: config.image?.image ?? '' }, ...(config.envs ?? []).map((e) => ({ name: e.key ?? '', value: e.value ?? '' }))];
    // `kubesim down` finds a cluster's processes by this marker in their environment.
    if (process.env.KUBESIM_CLUSTER) envs.push({ name: 'KUBESIM_CLUSTER', value: process.env.KUBESIM_CLUSTER });
    const env = imageEnv(img, envs, hostname);
    const mounts = (config.mounts ?? []).map((m) => {
      if (!m.host_path || !m.container_path) throw new ApiError('Invalid', `container "${name}": a mount needs host_path and container_path`);
      if (!existsSync(m.host_path)) throw new ApiError('Invalid', `container "${name}": mount source ${m.host_path} does not exist`);
      return { hostPath: m.host_path, containerPath: m.container_path, readonly: !!m.readonly, isFile: statSync(m.host_path).isFile() };
    });
    mounts.unshift({ hostPath: img.dir, containerPath: IMAGE_MOUNT, readonly: true, isFile: false });
    if (img.usesApp) mounts.unshift({ hostPath: APP_DIR, containerPath: APP_MOUNT, readonly: true, isFile: false });
    const id = randomBytes(32).toString('hex');
    const dir = this.records.dir(id);
    const cgroups = this.opts.cgroups ? cgroupDirs(`${this.opts.cgroupPrefix}/${sandboxId.slice(0, 16)}/${id.slice(0, 16)}`) : undefined;
    const res = config.linux?.resources;
    if (cgroups) createCgroups(cgroups, { memoryLimitBytes: res?.memory_limit_in_bytes ?? 0, cpuQuotaUs: res?.cpu_quota ?? 0, cpuPeriodUs: res?.cpu_period ?? 0, cpuShares: res?.cpu_shares ?? 0 });
    mkdirSync(join(dir, 'layer'), { recursive: true });
    const workingDir = config.working_dir || img.workingDir;
    // pid TARGET (an ephemeral container's targetContainerName): it joins that container's PID
    // namespace instead of getting one of its own (with the Perl shim; a shared one is joined anyway).
    const nsOpts = config.linux?.security_context?.namespace_options;
    let targetId: string | undefined;
    if (nsOpts?.pid === NAMESPACE_TARGET) {
      const target = nsOpts.target_id ? this.byId.get(nsOpts.target_id) : undefined;
      if (!target || target.sandboxId !== sandboxId) throw new ApiError('NotFound', `container "${name}": target container "${nsOpts.target_id ?? ''}" is not in pod sandbox "${sandboxId}"`);
      targetId = target.id;
    }
    // The Perl shim carries out the start plan itself and gives the container a PID namespace of
    // its own unless the pod shares one; the JavaScript shim runs start.sh (node's PID namespace).
    const script = {
      layerDir: join(dir, 'layer'), imageRootfs: img.rootfs, podFilesDir: this.sandboxes.filesDir(sb), hostname,
      workingDir, mounts, cgroups, startedFile: join(dir, 'started'), fstabFile: join(dir, 'fstab'),
      newPidNamespace: this.opts.shims.pooled && !sb.sharedPid && !targetId,
    };
    writeFileSync(script.fstabFile, containerFstab(script));
    writeFileSync(join(dir, 'start.sh'), startScript(script));
    if (this.opts.shims.pooled) writeFileSync(join(dir, 'plan'), startPlan(script));
    // The shim gives the container a stdin pipe or a terminal when the pod asks (stdin, tty, stdinOnce).
    const stdio = [config.stdin && 'stdin', config.tty && 'tty', config.stdin_once && 'once'].filter(Boolean).join(' ');
    if (stdio) writeFileSync(join(dir, 'stdio'), `${stdio}\n`);
    const rec: ContainerRecord = {
      id, sandboxId, config, image: { ref: config.image!.image!, id: img.id, name: img.name }, createdAt: Date.now() * 1e6,
      logPath: join(sb.logDirectory, config.log_path || `${name}/${config.metadata?.attempt ?? 0}.log`), cgroups, argv, env,
      rootPath: join(dir, 'layer', 'root'), workingDir, targetId,
    };
    this.records.save(rec);
    this.byId.set(id, rec);
    return rec;
  }

  /** StartContainer: launches the shim and waits until the container's root is complete (or it failed). */
  async start(id: string): Promise<void> {
    const r = this.get(id);
    if (this.phase(r) !== 'created') throw new ApiError('Conflict', `container "${id}" is ${this.phase(r)}, not created`);
    const sb = this.sandboxes.get(r.sandboxId);
    const dir = this.records.dir(id);
    mkdirSync(dirname(r.logPath), { recursive: true });
    // Enter through the pause process rather than /run/netns/<name>: that bind mount may live in
    // another mount namespace (a runtime started by `ip netns exec`), the pause process does not.
    const netPath = sb.pausePid ? `/proc/${sb.pausePid}/ns/net` : sb.netnsPath;
    // A pod-wide PID namespace is entered by the Perl shim only (it forks into it and forwards
    // signals; nsenter --pid would leave a parent that dies first on SIGTERM).
    const pidNs = this.opts.shims.pooled ? this.sandboxes.pidNamespacePath(sb) ?? this.targetPidNamespace(r) : undefined;
    const enter = netPath ? ['nsenter', `--net=${netPath}`, ...(pidNs ? [`--pid=${pidNs}`] : []), '--'] : [];
    r.pidNamespace = pidNs;
    const cmd = [...enter, 'unshare', '--mount', '--uts', '--', '/bin/sh', join(dir, 'start.sh'), ...r.argv];
    const shimPid = this.opts.shims.launch(r.logPath, dir, cmd, r.env);
    const pidFile = join(dir, 'pid');
    const ok = await pollUntil(() => (existsSync(pidFile) && existsSync(join(dir, 'started'))) || existsSync(join(dir, 'exit')), 10_000, 2);
    setImmediate(() => this.opts.shims.replenish());
    const pid = Number(readJson<number>(pidFile) ?? 0);
    if (!ok || !pid) throw new ApiError('Internal', `container "${id}": the shim did not start it`);
    r.pid = pid;
    r.pidStart = processStartTime(pid);
    // Its own PID namespace: pid is the shim's relay, whose children (the container) live in it.
    if (this.opts.shims.pooled && !sb.sharedPid && !r.targetId) r.pidNamespace = `/proc/${pid}/ns/pid_for_children`;
    r.shimPid = shimPid;
    r.shimStart = shimPid ? processStartTime(shimPid) : undefined;
    r.startedAt = Date.now() * 1e6;
    this.records.save(r);
    this.opts.log.info('container started', { container: r.config.metadata?.name ?? '', id: id.slice(0, 12), pid });
  }

  /** The PID namespace of a running target container (the namespace its relay made), for r to join. */
  private targetPidNamespace(r: ContainerRecord): string | undefined {
    if (!r.targetId) return undefined;
    const target = this.byId.get(r.targetId);
    if (!target || this.phase(target) !== 'running' || !target.pidNamespace) {
      throw new ApiError('Conflict', `container "${r.id}": target container "${r.targetId}" is not running`);
    }
    return target.pidNamespace;
  }

  /** StopContainer: SIGTERM to the process group, SIGKILL to everything left after `timeoutSec`. */
  async stop(id: string, timeoutSec: number): Promise<void> {
    const r = this.get(id);
    if (this.phase(r) !== 'running') return;
    const exited = () => this.phase(r) === 'exited';
    signal(-r.pid!, 'SIGTERM');
    if (await pollUntil(exited, Math.max(0, timeoutSec) * 1000, 20)) return;
    signal(-r.pid!, 'SIGKILL');
    for (const p of cgroupPids(r.cgroups)) signal(p, 'SIGKILL');
    if (await pollUntil(exited, 5000, 10)) return;
    throw new ApiError('Internal', `container "${id}" did not exit after SIGKILL`);
  }

  /** RemoveContainer: kills it if needed, removes its cgroups and state (its log stays). */
  async remove(id: string): Promise<void> {
    const r = this.byId.get(id);
    if (!r) return;
    if (this.phase(r) === 'running') await this.stop(id, 0);
    await pollUntil(() => cgroupPids(r.cgroups).length === 0, 2000, 10);
    removeCgroups(r.cgroups);
    if (r.cgroups && !this.list().some((c) => c.id !== id && c.sandboxId === r.sandboxId)) {
      removeCgroups({ memory: dirname(r.cgroups.memory), cpu: dirname(r.cgroups.cpu), cpuacct: dirname(r.cgroups.cpuacct) });
    }
    this.records.remove(id);
    this.byId.delete(id);
  }
}

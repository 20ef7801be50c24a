/**
 * Pod sandboxes: a network namespace (/run/netns/<prefix><id>) connected by the network
 * plugin, a pause process holding it, and the pod's resolv.conf/hosts/hostname files.
 * hostNetwork pods (namespace_options.network = NODE) use the node's namespace. Records
 * live on disk, so a restarted runtime finds its sandboxes again.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { runtime } from '../../proto/gen/cri.js';
import { ApiError } from '../../lib/errors.js';
import { cniAdd, cniDel, type BridgeNetConf } from '../cni/bridge-plugin.js';
import { RecordDir } from './state-store.js';
import { isAlive, processStartTime, signal } from './procs.js';
import { renderHosts, renderResolvConf } from './pod-files.js';
import { run, runOk } from './run.js';
import { podnet } from '../netlink/index.js';
import type { Logger } from './log.js';

/** CRI PodSandboxConfig as decoded from the wire. */
export type SandboxConfig = runtime.v1.PodSandboxConfig.$Properties;

/** A sandbox as stored on disk. */
export interface SandboxRecord {
  id: string;
  config: SandboxConfig;
  createdAt: number;
  /** 'ready' until StopPodSandbox. */
  state: 'ready' | 'notready';
  hostNetwork: boolean;
  /** Named netns of the pod ('' for host network). */
  netnsName: string;
  /** Path containers enter (/run/netns/<name>), or '' to stay in the runtime's own. */
  netnsPath: string;
  ip: string;
  pausePid: number;
  pauseStart?: number;
  logDirectory: string;
  /** One PID namespace for the pod (shareProcessNamespace): the pause process is its PID 1. */
  sharedPid?: boolean;
}

/** Settings shared by sandbox operations. */
export interface SandboxOptions {
  rootDir: string;
  logRoot: string;
  cni: BridgeNetConf;
  /** Netns name of the node when the runtime itself runs outside it (tests, hollow setups). */
  nodeNetns?: string;
  netnsPrefix: string;
  log: Logger;
}

/** NODE in CRI's NamespaceMode. */
const NAMESPACE_NODE = 2;

/** Creates, stops, removes and reports pod sandboxes. */
export class SandboxStore {
  private readonly records: RecordDir<SandboxRecord>;
  private readonly byId = new Map<string, SandboxRecord>();

  constructor(private readonly opts: SandboxOptions) {
    this.records = new RecordDir<SandboxRecord>(join(opts.rootDir, 'sandboxes'), 'sandbox.json');
    for (const r of this.records.loadAll()) this.byId.set(r.id, r);
  }

  /** All sandboxes. */
  list(): SandboxRecord[] { return [...this.byId.values()]; }

  /** A sandbox by id; NotFound otherwise. */
  get(id: string): SandboxRecord {
    const r = this.byId.get(id);
    if (!r) throw new ApiError('NotFound', `pod sandbox "${id}" not found`);
    return r;
  }

  /** True when the sandbox is ready and its pause process lives. */
  isReady(r: SandboxRecord): boolean {
    return r.state === 'ready' && isAlive(r.pausePid, r.pauseStart);
  }

  /** Directory holding the pod's shared files (resolv.conf, hosts, hostname). */
  filesDir(r: SandboxRecord): string { return this.records.dir(r.id); }

  /** RunPodSandbox: namespace, network, pause process, pod files. */
  async run(config: SandboxConfig): Promise<SandboxRecord> {
    const md = config.metadata;
    if (!md?.name || !md.namespace || !md.uid) throw new ApiError('Invalid', 'PodSandboxConfig.metadata needs name, namespace and uid');
    const id = randomBytes(32).toString('hex');
    const hostNetwork = config.linux?.security_context?.namespace_options?.network === NAMESPACE_NODE;
    const sharedPid = !!config.linux?.security_context?.share_process_namespace;
    const rec: SandboxRecord = {
      id, config, createdAt: Date.now() * 1e6, state: 'ready', hostNetwork, sharedPid, netnsName: '', netnsPath: '', ip: '', pausePid: 0,
      logDirectory: config.log_directory || join(this.opts.logRoot, `${md.namespace}_${md.name}_${md.uid}`),
    };
    try {
      if (hostNetwork) {
        if (this.opts.nodeNetns) rec.netnsPath = `/run/netns/${this.opts.nodeNetns}`;
      } else {
        rec.netnsName = `${this.opts.netnsPrefix}${id.slice(0, 16)}`;
        rec.netnsPath = `/run/netns/${rec.netnsName}`;
        if (podnet) podnet.netnsAdd(rec.netnsName);
        else await runOk('ip', ['netns', 'add', rec.netnsName]);
        this.startPause(rec); // starts while the network is plugged in
        const res = await cniAdd(this.opts.cni, { containerId: id, netns: rec.netnsPath, ifName: 'eth0', hostNetns: this.opts.nodeNetns });
        rec.ip = res.ips[0].address.split('/')[0];
      }
      this.writePodFiles(rec);
      if (!rec.pausePid) this.startPause(rec);
      this.records.save(rec);
      this.byId.set(id, rec);
      this.opts.log.info('sandbox ready', { pod: `${md.namespace}/${md.name}`, sandbox: id.slice(0, 12), ip: rec.ip, hostNetwork });
      return rec;
    } catch (err) {
      await this.teardown(rec);
      this.records.remove(id);
      throw err;
    }
  }

  private writePodFiles(rec: SandboxRecord): void {
    const dir = this.records.dir(rec.id);
    const nodeResolv = (() => { try { return readFileSync('/etc/resolv.conf', 'utf8'); } catch { return ''; } })();
    const hostname = rec.config.hostname || rec.config.metadata!.name!;
    writeFileSync(join(dir, 'resolv.conf'), renderResolvConf(rec.config.dns_config, nodeResolv));
    writeFileSync(join(dir, 'hosts'), renderHosts(rec.ip, hostname, rec.config.host_aliases ?? []));
    writeFileSync(join(dir, 'hostname'), `${hostname}\n`);
  }

  /** The pause program: `sleep` reached through a link named pause, so `ps` on the node shows the pods' pause processes. */
  private pauseBinary(): string {
    const link = join(this.opts.rootDir, 'pause');
    if (!existsSync(link)) {
      const sleep = ['/usr/bin/sleep', '/bin/sleep'].find((p) => existsSync(p)) ?? 'sleep';
      try { symlinkSync(sleep, link); } catch { /* made concurrently */ }
    }
    return link;
  }

  private startPause(rec: SandboxRecord): void {
    const pause = this.pauseBinary();
    // A shared PID namespace is made by unshare, which stays as its parent (it dies with the pause:
    // --kill-child; the kernel then ends every process of the namespace); containers join it through
    // /proc/<unshare>/ns/pid_for_children (pidNamespacePath).
    const inner = rec.sharedPid ? ['unshare', '--pid', '--fork', '--kill-child', '--', pause, 'infinity'] : [pause, 'infinity'];
    const argv = rec.netnsPath ? ['nsenter', `--net=${rec.netnsPath}`, '--', ...inner] : inner;
    // Detached: the pause process (like the containers) outlives a runtime restart.
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: 'ignore' });
    child.unref();
    if (!child.pid) throw new ApiError('Internal', 'could not start the pause process');
    rec.pausePid = child.pid;
    rec.pauseStart = processStartTime(child.pid);
  }

  /** The PID namespace the pod's containers join, when the pod shares one. */
  pidNamespacePath(rec: SandboxRecord): string | undefined {
    return rec.sharedPid && rec.pausePid ? `/proc/${rec.pausePid}/ns/pid_for_children` : undefined;
  }

  /** Releases network and pause; idempotent. */
  private async teardown(rec: SandboxRecord): Promise<void> {
    if (rec.pausePid && isAlive(rec.pausePid, rec.pauseStart)) signal(rec.pausePid, 'SIGKILL');
    if (rec.netnsName) {
      try {
        await cniDel(this.opts.cni, { containerId: rec.id, ifName: 'eth0', hostNetns: this.opts.nodeNetns });
      } catch (err) {
        this.opts.log.warn('network teardown failed', { sandbox: rec.id.slice(0, 12), err: (err as Error).message });
      }
      await run('ip', ['netns', 'del', rec.netnsName]);
    }
  }

  /** StopPodSandbox (after the caller stopped its containers): pause killed, network released. */
  async stop(id: string): Promise<void> {
    const rec = this.byId.get(id);
    if (!rec) return; // CRI: stopping an unknown sandbox succeeds
    await this.teardown(rec);
    rec.state = 'notready';
    this.records.save(rec);
  }

  /** RemovePodSandbox (after stop and container removal): forgets the sandbox. */
  async remove(id: string): Promise<void> {
    const rec = this.byId.get(id);
    if (!rec) return;
    if (rec.state === 'ready') await this.stop(id);
    this.records.remove(id);
    this.byId.delete(id);
  }
}

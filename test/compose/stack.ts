/**
 * A kubesim cluster in containers for tests, started with testcontainers the way compose.yaml
 * starts it: etcd, apiserver, scheduler, controller-manager and per node a `node` container
 * owning the network namespace plus flanneld, runtime, kubelet and kube-proxy containers joining
 * it — on a fresh internal docker network with fixed addresses. stop() removes every container,
 * the network, the image and the node state folders, also after a failed start.
 */
import { BASE_IMAGE, ETCD_IMAGE } from './env.js';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Ids of the untagged, unused images. */
export async function danglingImages(): Promise<string[]> {
  return run('docker', ['images', '-q', '--no-trunc', '--filter', 'dangling=true']).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
}

/** GenericContainer with the docker options testcontainers has no builder for. */
class KContainer extends GenericContainer {
  /** Passes host devices (e.g. /dev/net/tun) into the container. */
  withDevice(path: string): this {
    this.hostConfig.Devices = [...(this.hostConfig.Devices ?? []), { PathOnHost: path, PathInContainer: path, CgroupPermissions: 'rwm' }];
    return this;
  }
  /** Namespaced sysctls set at creation. */
  withSysctls(s: Record<string, string>): this { this.hostConfig.Sysctls = { ...this.hostConfig.Sysctls, ...s }; return this; }
  /** A fixed address on a user-defined network. */
  withAddress(network: string, ip: string): this {
    this.hostConfig.NetworkMode = network;
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: ip } } } };
    return this;
  }
}

/** One node's containers, node first (the others join its network namespace). */
export interface NodeContainers { name: string; ip: string; containers: StartedTestContainer[] }

/** A running test cluster. */
export class Stack {
  readonly network = `ksimt-${Math.random().toString(36).slice(2, 8)}`;
  readonly subnet = `10.202.${2 + Math.floor(Math.random() * 250)}`;
  readonly image = `kubesim-test:${this.network}`;
  readonly stateDir = mkdtempSync(join(tmpdir(), 'ksimt-compose-'));
  /** Marks every container of this stack, so cleanup finds even those a failed start left. */
  readonly labels = { 'kubesim.test': this.network };
  etcd?: StartedTestContainer;
  apiserver?: StartedTestContainer;
  controlPlane: StartedTestContainer[] = [];
  nodes: NodeContainers[] = [];
  private danglingBefore = new Set<string>();

  /** The apiserver's REST URL, reachable from the test process through the network's bridge. */
  get apiURL(): string { return `http://${this.subnet}.5:8080`; }

  /** Builds the image (no registry needed with the offline base images) and creates the network. */
  async build(): Promise<void> {
    this.danglingBefore = new Set(await danglingImages());
    await GenericContainer.fromDockerfile(ROOT).withBuildArgs({ BASE_IMAGE, ETCD_IMAGE }).build(this.image, { deleteOnExit: false });
    await run('docker', ['network', 'create', '--internal', '--subnet', `${this.subnet}.0/24`, '--gateway', `${this.subnet}.1`, '--ip-range', `${this.subnet}.128/25`,
      '--label', 'kubesim.test=compose', this.network]);
  }

  private kubesim(component: string, ip?: string): KContainer {
    const c = new KContainer(this.image).withCommand([component]).withStartupTimeout(60_000).withLabels(this.labels)
      .withEnvironment({ ETCD_SERVERS: `http://${this.subnet}.2:2379`, APISERVER: this.apiURL, GRPC_SERVER: `${this.subnet}.5:8081`, FAST_FAILOVER: 'true' });
    return ip ? c.withAddress(this.network, ip) : c.withNetworkMode(this.network);
  }

  /** Starts etcd, writes flannel's network config, starts the control plane. */
  async startControlPlane(): Promise<void> {
    this.etcd = await new KContainer(ETCD_IMAGE).withLabels(this.labels).withAddress(this.network, `${this.subnet}.2`)
      .withCommand(['/usr/local/bin/etcd', '--name', 'etcd', '--data-dir', '/var/lib/etcd', '--listen-client-urls', 'http://0.0.0.0:2379',
        '--advertise-client-urls', `http://${this.subnet}.2:2379`, '--listen-peer-urls', 'http://127.0.0.1:2380',
        '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'etcd=http://127.0.0.1:2380'])
      .withHealthCheck({ test: ['CMD', '/usr/local/bin/etcdctl', 'endpoint', 'health'], interval: 1000, timeout: 3000, retries: 60 })
      .withWaitStrategy(Wait.forHealthCheck()).start();
    const put = await this.etcd.exec(['/usr/local/bin/etcdctl', 'put', '/coreos.com/network/config',
      '{"Network":"10.244.0.0/16","SubnetLen":24,"Backend":{"Type":"vxlan"}}']);
    if (put.exitCode !== 0) throw new Error(`etcdctl put: ${put.output}`);
    this.apiserver = await this.kubesim('apiserver', `${this.subnet}.5`)
      .withHealthCheck({ test: ['CMD', 'node', '/app/docker/healthy.mjs', 'http://127.0.0.1:8080/readyz'], interval: 1000, timeout: 4000, retries: 120 })
      .withWaitStrategy(Wait.forHealthCheck()).start();
    for (const c of ['scheduler', 'controller-manager']) this.controlPlane.push(await this.kubesim(c).start());
  }

  /** Starts node `name` (1-based index i): the namespace owner, then its four components. */
  async startNode(i: number): Promise<NodeContainers> {
    const name = `node-${i}`;
    const ip = `${this.subnet}.${10 + i}`;
    const dir = join(this.stateDir, name);
    const env = { NODE_NAME: name };
    const nodeC = await this.kubesim('node', ip).withEnvironment(env).withSysctls({ 'net.ipv4.ip_forward': '1', 'net.ipv4.tcp_tw_reuse': '1' }).start();
    const join_ = (c: KContainer) => c.withNetworkMode(`container:${nodeC.getId()}`).withEnvironment(env);
    const unconfined = ['seccomp=unconfined', 'apparmor=unconfined'];
    const flanneld = await join_(this.kubesim('flanneld')).withAddedCapabilities('NET_ADMIN', 'SYS_ADMIN').withSecurityOpt(...unconfined)
      .withDevice('/dev/net/tun').withBindMounts([{ source: dir, target: '/node' }])
      .withHealthCheck({ test: ['CMD', 'test', '-f', '/node/run/flannel/subnet.env'], interval: 1000, timeout: 2000, retries: 60 })
      .withWaitStrategy(Wait.forHealthCheck()).start();
    const runtime = await join_(this.kubesim('runtime')).withAddedCapabilities('NET_ADMIN', 'SYS_ADMIN').withSecurityOpt(...unconfined)
      .withBindMounts([{ source: dir, target: '/node' }, { source: '/sys/fs/cgroup', target: '/sys/fs/cgroup' }])
      .withHealthCheck({ test: ['CMD', 'test', '-S', '/node/run/cri.sock'], interval: 1000, timeout: 2000, retries: 60 })
      .withWaitStrategy(Wait.forHealthCheck()).start();
    const kubelet = await join_(this.kubesim('kubelet')).withBindMounts([{ source: dir, target: '/node' }]).start();
    const proxy = await join_(this.kubesim('kube-proxy')).withAddedCapabilities('NET_ADMIN').start();
    const n = { name, ip, containers: [nodeC, flanneld, runtime, kubelet, proxy] };
    this.nodes.push(n);
    return n;
  }

  /** Every container, in start order. */
  all(): StartedTestContainer[] {
    return [this.etcd, this.apiserver, ...this.controlPlane, ...this.nodes.flatMap((n) => n.containers)].filter((c): c is StartedTestContainer => !!c);
  }

  /** Prints the command and last log lines of every container of this stack (for a failed start). */
  async dumpLogs(): Promise<void> {
    const ids = await run('docker', ['ps', '-aq', '--filter', `label=kubesim.test=${this.network}`]).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
    for (const id of ids) {
      const what = await run('docker', ['inspect', '-f', '{{.Config.Cmd}} {{.State.Status}} exit={{.State.ExitCode}}', id]).then((r) => r.stdout.trim(), () => id);
      const logs = await run('docker', ['logs', '--tail', '15', id]).then((r) => r.stdout + r.stderr, () => '');
      console.error(`--- container ${id.slice(0, 12)} ${what}\n${logs}`);
    }
  }

  /** Removes containers (in reverse start order), network, image and state; never throws. */
  async stop(): Promise<void> {
    for (const c of this.all().reverse()) await c.stop({ timeout: 5000, remove: true, removeVolumes: true }).catch(() => undefined);
    const left = await run('docker', ['ps', '-aq', '--filter', `label=kubesim.test=${this.network}`]).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
    if (left.length) await run('docker', ['rm', '-f', '-v', ...left]).catch(() => undefined);
    await run('docker', ['network', 'rm', this.network]).catch(() => undefined);
    await run('docker', ['rmi', '-f', this.image]).catch(() => undefined);
    // The multi-stage build leaves untagged images behind: remove those that appeared with it.
    const leftImages = (await danglingImages()).filter((id) => !this.danglingBefore.has(id));
    if (leftImages.length) await run('docker', ['rmi', '-f', ...leftImages]).catch(() => undefined);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

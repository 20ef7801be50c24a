#!/usr/bin/env node
/**
 * kubesim's container runtime process: serves the CRI (proto/cri.proto) on a unix socket.
 * Pods are network namespaces with a pause process; containers are shim-supervised processes
 * with private roots. Stopping the runtime leaves pods running; a new runtime adopts them.
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { ContainerRuntime } from './runtime-service.js';
import { socketPath } from './cri-client.js';
import { serveCri } from './cri-server.js';
import { ImageRegistry, defaultImagesDir } from './images.js';
import { createLogger } from './log.js';

const program = new Command('kubesim-runtime')
  .option('--listen <path>', 'unix socket to serve the CRI on (path or unix://path)', '/run/kubesim/cri.sock')
  .option('--v <level>', 'log verbosity (accepted for symmetry with the other components)', '0')
  .option('--root-dir <dir>', 'state directory (sandboxes, containers, shim)', '/var/lib/kubesim/runtime')
  .option('--log-root <dir>', 'pod log root when the sandbox names none', '/var/log/pods')
  .option('--image-dir <dir>', 'built-in images folder', defaultImagesDir())
  .option('--image-map <file>', 'extra image names: "<pattern> <builtin>" per line (* wildcards)')
  .option('--cni-network-name <name>', 'network name (host-local state folder)', 'cbr0')
  .option('--subnet-file <file>', "flanneld's subnet.env", '/run/flannel/subnet.env')
  .option('--cni-data-dir <dir>', 'host-local IPAM state (default <root-dir>/cni-networks)')
  .option('--bridge <name>', 'node bridge', 'cni0')
  .option('--node-netns <name>', 'the node namespace, when the runtime runs outside it')
  .option('--netns-prefix <prefix>', 'prefix of pod network namespace names', 'cni-')
  .option('--cgroup-prefix <name>', 'cgroup folder (below the runtime\'s own) for containers', 'kubesim')
  .option('--stop-pods-on-exit', 'on SIGTERM, stop and remove every pod (default: pods outlive the runtime)')
  .option('--cleanup', 'stop and remove every pod found in --root-dir, then exit (for `kubesim down`)')
  .parse();

const o = program.opts<Record<string, string | undefined>>();
const log = createLogger('container-runtime');

/** Stops and removes every sandbox (and so every container) the runtime knows. */
async function removeAll(rt: ContainerRuntime): Promise<void> {
  for (const sb of rt.sandboxes.list()) {
    await rt.StopPodSandbox({ pod_sandbox_id: sb.id });
    await rt.RemovePodSandbox({ pod_sandbox_id: sb.id });
  }
  for (const c of rt.containers.list()) await rt.containers.remove(c.id);
}

async function main(): Promise<void> {
  const images = new ImageRegistry(o.imageDir!, o.imageMap ? readFileSync(o.imageMap, 'utf8') : '');
  const rt = new ContainerRuntime({
    rootDir: o.rootDir!, logRoot: o.logRoot, images, nodeNetns: o.nodeNetns, netnsPrefix: o.netnsPrefix, cgroupPrefix: o.cgroupPrefix, log,
    cni: { name: o.cniNetworkName!, subnetFile: o.subnetFile, dataDir: o.cniDataDir ?? join(o.rootDir!, 'cni-networks'), bridge: o.bridge },
  });
  if (o.cleanup) {
    await removeAll(rt);
    rt.close();
    log.info('removed all pods', { rootDir: o.rootDir });
    return;
  }
  const socket = socketPath(o.listen!);
  mkdirSync(dirname(socket), { recursive: true });
  const server = await serveCri(rt, socket, log);
  log.info('serving CRI', { socket, sandboxes: rt.sandboxes.list().length, containers: rt.containers.list().length, images: images.list().length });
  const stop = (sig: string) => {
    log.info('shutting down; pods keep running', { signal: sig });
    server.close().then(() => (o.stopPodsOnExit ? removeAll(rt) : undefined)).then(() => { rt.close(); process.exit(0); }, () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  log.error('runtime failed to start', { err: err.message });
  process.exit(1);
});

/**
 * `kubesim compose ...`: the Docker Compose stack's helpers (compose.yaml at the repo root).
 * - `add-node` (on the host): clones node-1's five services (namespace owner, flanneld, runtime,
 *   kubelet, kube-proxy) as the next free node-N into compose.override.yaml — which `docker compose`
 *   and `docker-compose` read next to compose.yaml by themselves, so `down -v` also removes it —
 *   and starts them.
 * - `addons` (inside the stack, the `addons` one-shot): applies the DNS, ingress and dashboard
 *   manifests as `kubesim up` does, then waits until the cluster DNS answers.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promises as dns } from 'node:dns';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse, stringify } from 'yaml';
import { clientFromFlags } from '../../lib/client/flags.js';
import { renderAddon, applyManifest, ADDONS } from '../cluster/addons.js';
import { adminKubeconfig, composeNodeIP, ensureComposeCredentials, writeHostKubeconfig } from './compose-pki.js';
import { waitFor } from '../../lib/testing/wait.js';
import { UserError } from './up.js';

/** The parts of a compose file add-node reads and writes. */
export interface ComposeFile { services?: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown>; [k: string]: unknown }

/** Highest node number defined by `node-N` namespace-owner services (command `node`) in the files. */
export function highestNode(...files: ComposeFile[]): number {
  let max = 0;
  for (const f of files) {
    for (const [name, s] of Object.entries(f.services ?? {})) {
      const m = /^node-(\d+)$/.exec(name);
      if (m && (s.command as string[] | undefined)?.[0] === 'node') max = Math.max(max, Number(m[1]));
    }
  }
  return max;
}

/** The services and volumes of node `n`, cloned from node-1's in `base` (compose.yaml, merge keys resolved). */
export function nodeServices(base: ComposeFile, n: number): { services: Record<string, unknown>; volumes: Record<string, unknown> } {
  // Fixed addresses stay below .128 (compose's dynamic range starts there); node-N is 10.201.0.(10+N).
  if (!Number.isInteger(n) || n < 2 || n > 117) throw new UserError(`node number ${n} is out of range (2..117: 10.201.0.12..127)`);
  const names = ['node-1', 'flanneld-node-1', 'runtime-node-1', 'kubelet-node-1', 'kube-proxy-node-1'];
  const rename = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replace(/node-1(?!\d)/g, `node-${n}`));
  const services: Record<string, unknown> = {};
  for (const name of names) {
    const s = base.services?.[name];
    if (!s) throw new UserError(`compose.yaml has no service ${name} to clone`);
    services[name.replace(/node-1$/, `node-${n}`)] = rename(s);
  }
  const owner = services[`node-${n}`] as { networks?: { cluster?: { ipv4_address?: string } } };
  if (owner.networks?.cluster) owner.networks.cluster.ipv4_address = `10.201.0.${10 + n}`;
  const volumes: Record<string, unknown> = {};
  for (const v of ['node-1', 'node-1-pods']) {
    if (base.volumes && v in base.volumes) volumes[v.replace('node-1', `node-${n}`)] = structuredClone(base.volumes[v] ?? {});
  }
  return { services, volumes };
}

const OVERRIDE_HEADER = '# Written by `kubesim compose add-node` (docs/compose.md): nodes beyond compose.yaml\'s three.\n' +
  '# docker compose / docker-compose read this file next to compose.yaml by themselves.\n';

/** Adds the next node to <dir>/compose.override.yaml; returns its number and service names. */
export function addNodeToOverride(dir: string): { n: number; services: string[]; file: string } {
  const baseFile = join(dir, 'compose.yaml');
  if (!existsSync(baseFile)) throw new UserError(`no compose.yaml in ${dir} (run in the kubesim checkout or pass --dir)`);
  const base = parse(readFileSync(baseFile, 'utf8'), { merge: true }) as ComposeFile;
  const file = join(dir, 'compose.override.yaml');
  const override = (existsSync(file) ? parse(readFileSync(file, 'utf8'), { merge: true }) : {}) as ComposeFile ?? {};
  const n = highestNode(base, override) + 1;
  const add = nodeServices(base, n);
  override.services = { ...override.services, ...add.services } as ComposeFile['services'];
  override.volumes = { ...override.volumes, ...add.volumes };
  writeFileSync(file, OVERRIDE_HEADER + stringify(override, { aliasDuplicateObjects: false }));
  return { n, services: Object.keys(add.services), file };
}

/** The Compose command: KUBESIM_COMPOSE, else `docker compose` (v2) when it answers, else `docker-compose` (1.29). */
export function composeCommand(): string[] {
  if (process.env.KUBESIM_COMPOSE) return process.env.KUBESIM_COMPOSE.split(' ').filter(Boolean);
  const v2 = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 20_000 });
  return v2.status === 0 ? ['docker', 'compose'] : ['docker-compose'];
}

/** True when node `name` is Ready, asked over HTTPS with the host kubeconfig's admin certificate. */
export function nodeReadyVia(kubeconfigFile: string, name: string): Promise<boolean> {
  const kc = parse(readFileSync(kubeconfigFile, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b64 = (v?: string) => (v ? Buffer.from(v, 'base64') : undefined);
  const url = new URL(`/api/v1/nodes/${name}`, kc.clusters[0].cluster.server);
  const tls = { ca: b64(kc.clusters[0].cluster['certificate-authority-data']), cert: b64(kc.users[0].user['client-certificate-data']), key: b64(kc.users[0].user['client-key-data']) };
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? httpsGet : httpGet)(url, { ...tls, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d; });
      res.on('end', () => {
        try {
          const node = JSON.parse(body) as { status?: { conditions?: { type: string; status: string }[] } };
          resolve(res.statusCode === 200 && !!node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        } catch { resolve(false); }
      });
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** True when `name` resolves through the DNS server at dnsIP. */
async function resolves(dnsIP: string, name: string): Promise<boolean> {
  const r = new dns.Resolver({ timeout: 1000, tries: 1 });
  r.setServers([dnsIP]);
  return r.resolve4(name).then((a) => a.length > 0, () => false);
}

/** Options of the in-stack addons job. */
export interface AddonsOptions { grpcServer: string; podGrpcServer: string; podApiServer: string; addons: string[]; dnsIP: string; timeout: number; pki: string }

/**
 * Applies the addons as the cluster admin (objects already there are left alone; the addon pods
 * get their ServiceAccount's bound token from ServiceAccount admission), then waits until DNS
 * answers when it is one of them.
 */
export async function installComposeAddons(o: AddonsOptions): Promise<void> {
  const client = clientFromFlags({ kubeconfig: adminKubeconfig(o.pki), grpcServer: o.grpcServer });
  try {
    for (const name of o.addons) {
      const text = renderAddon(name, { grpcServer: o.podGrpcServer, apiServer: o.podApiServer });
      if (!text) throw new UserError(`this build has no ${name} addon manifest`);
      // The apiserver may have just become ready: retry until its registry answers.
      const created = await waitFor(`addon ${name} applied`, async () => ({ c: await applyManifest(client, text) }), { timeoutMs: 60_000, intervalMs: 1000 });
      console.log(JSON.stringify({ msg: 'addon applied', addon: name, created: created.c }));
    }
  } finally {
    client.close();
  }
  if (o.addons.includes('dns')) {
    await waitFor(`cluster DNS at ${o.dnsIP} answers`, () => resolves(o.dnsIP, 'kube-dns.kube-system.svc.cluster.local'), { timeoutMs: o.timeout * 1000, intervalMs: 1000 });
    console.log(JSON.stringify({ msg: 'cluster DNS answers', dns: o.dnsIP }));
  }
}

/** Registers `kubesim compose add-node` and `kubesim compose addons`. */
export function registerCompose(program: Command): void {
  const compose = program.command('compose').description('helpers for the Docker Compose stack (compose.yaml; docs/compose.md)');
  compose.command('add-node').description('add the next node (node-4, node-5, ...) to the compose stack and start it')
    .option('--dir <dir>', 'folder of compose.yaml (the kubesim checkout)', '.')
    .option('--no-up', 'only write compose.override.yaml')
    .option('--timeout <seconds>', 'how long to wait for the node to be Ready (0: do not wait)', (v) => Number.parseInt(v, 10), 120)
    .action(async (o: { dir: string; up: boolean; timeout: number }) => {
      const dir = resolve(o.dir);
      const added = addNodeToOverride(dir);
      console.log(`node-${added.n}: ${added.services.join(', ')} written to ${added.file}`);
      if (!o.up) return;
      const [cmd, ...args] = composeCommand();
      // The new kubelet's identity (client certificate, token, kubeconfig, serving certificate)
      // from the pki job; the apiserver re-reads its token file.
      try {
        execFileSync(cmd, [...args, 'run', '--rm', '-T', '--no-deps', 'pki', 'pki', '--nodes', `node-${added.n}`], { cwd: dir, stdio: 'inherit' });
      } catch {
        throw new UserError(`node-${added.n} is in ${added.file} but its credentials were not made; fix the cause above, then: ${[cmd, ...args].join(' ')} run --rm pki pki --nodes node-${added.n} && ${[cmd, ...args].join(' ')} up -d`);
      }
      // --no-deps: the control plane is already up; compose must not recreate it when this
      // shell's variables differ from those of the first `up`.
      try {
        execFileSync(cmd, [...args, 'up', '-d', '--no-deps', ...added.services], { cwd: dir, stdio: 'inherit' });
      } catch {
        throw new UserError(`node-${added.n} is in ${added.file} but did not start; fix the cause above, then: ${[cmd, ...args].join(' ')} up -d`);
      }
      const kubeconfig = join(dir, '.kubesim', 'kubeconfig');
      if (!o.timeout || !existsSync(kubeconfig)) { console.log(`node-${added.n} starting (10.201.0.${10 + added.n}): kubectl get nodes -w`); return; }
      await waitFor(`node-${added.n} Ready`, () => nodeReadyVia(kubeconfig, `node-${added.n}`), { timeoutMs: o.timeout * 1000, intervalMs: 1000 });
      console.log(`node-${added.n} Ready (10.201.0.${10 + added.n})`);
    });
  compose.command('addons').description('(inside the stack) apply the DNS, ingress and dashboard addons and wait for DNS')
    .requiredOption('--grpc-server <host:port>', 'apiserver gRPC address(es) as this job reaches them')
    .requiredOption('--pod-grpc-server <ip:port>', 'apiserver gRPC address(es) as pods reach them')
    .requiredOption('--pod-apiserver <url>', 'apiserver REST URL as pods reach it')
    .option('--addons <names>', `comma list (${Object.keys(ADDONS).join(',')})`, Object.keys(ADDONS).join(','))
    .option('--dns-ip <ip>', 'cluster DNS Service address', '10.96.0.10')
    .option('--pki <dir>', 'the stack\'s credentials (kubesim compose pki)', '/pki')
    .option('--timeout <seconds>', 'how long to wait for DNS to answer', (v) => Number.parseInt(v, 10), 180)
    .action(async (o: { grpcServer: string; podGrpcServer: string; podApiserver: string; addons: string; dnsIp: string; pki: string; timeout: number }) => {
      const addons = o.addons.split(',').map((a) => a.trim()).filter(Boolean);
      for (const a of addons) if (!(a in ADDONS)) throw new UserError(`--addons: unknown addon ${JSON.stringify(a)} (known: ${Object.keys(ADDONS).join(', ')})`);
      await installComposeAddons({ grpcServer: o.grpcServer, podGrpcServer: o.podGrpcServer, podApiServer: o.podApiserver, addons, dnsIP: o.dnsIp, timeout: o.timeout, pki: o.pki });
    });
  compose.command('pki').description('(inside the stack) make the cluster\'s credentials once: CA, certificates, tokens, a kubeconfig per identity')
    .option('--dir <dir>', 'the credentials volume', '/pki')
    .option('--apiservers <ips>', 'the apiservers\' addresses (first: the one kubeconfigs name)', '10.201.0.5,10.201.0.6')
    .option('--names <names>', 'DNS names of the apiservers', 'apiserver,apiserver2')
    .option('--nodes <names>', 'nodes to make kubelet identities for', 'node-1,node-2,node-3')
    .action((o: { dir: string; apiservers: string; names: string; nodes: string }) => {
      const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
      for (const n of list(o.nodes)) composeNodeIP(n);
      const nodes = ensureComposeCredentials({ dir: o.dir, apiservers: list(o.apiservers), names: list(o.names), nodes: list(o.nodes) });
      console.log(JSON.stringify({ msg: 'credentials ready', dir: o.dir, nodes }));
    });
  compose.command('kubeconfig').description('(inside the stack) write the host\'s kubeconfig: HTTPS on the published port, admin client certificate')
    .option('--pki <dir>', 'the stack\'s credentials', '/pki')
    .option('--out <file>', 'where to write it', '/out/kubeconfig')
    .option('--port <port>', 'the apiserver port published on 127.0.0.1', process.env.KUBESIM_APISERVER_PORT || '6443')
    .action((o: { pki: string; out: string; port: string }) => {
      const server = writeHostKubeconfig(o.pki, o.out, o.port);
      console.log(JSON.stringify({ msg: 'kubeconfig written', file: o.out, server }));
    });
}

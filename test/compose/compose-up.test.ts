/**
 * compose.yaml itself, run by the Compose the host has (`docker compose` v2 when present, else
 * Debian's docker-compose 1.29): `up -d` of the control plane, one node and the addons returns
 * with the kubeconfig written (HTTPS on the published loopback port, the admin's client
 * certificate) and the cluster DNS answering; etcd admits TLS clients with its CA's certificates
 * only and gRPC is TLS; a pod reads its secret volume (the node's shared
 * tmpfs) and its logs come through the kubelet's TLS server; `kubesim compose add-node` brings
 * node-4 with its own identity (Ready, a flannel subnet, a DaemonSet pod). The stack runs in a temporary project folder holding a copy of compose.yaml,
 * under its own project name and image; `down -v` removes it all, also when a step fails.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BASE_IMAGE, ETCD_IMAGE, dockerUnavailable } from './env.js';
import { danglingImages } from './stack.js';
import { composeCommand } from '../../cli/commands/compose.js';
import { waitFor } from '../../lib/testing/wait.js';
import { freePort } from '../../lib/testing/ports.js';
import { acquireHostLock } from '../../lib/testing/host-lock.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** etcdctl inside the etcd container: https, etcd's CA and the healthcheck client certificate (from the pki volume). */
const ETCD_TLS = ['--endpoints=https://127.0.0.1:2379', '--cacert=/pki/pki/etcd/ca.crt', '--cert=/pki/pki/etcd/healthcheck-client.crt', '--key=/pki/pki/etcd/healthcheck-client.key'];
const ONE_NODE = ['node-1', 'flanneld-node-1', 'runtime-node-1', 'kubelet-node-1', 'kube-proxy-node-1', 'scheduler', 'controller-manager', 'addons', 'kubeconfig', 'ready'];

interface Pod { spec: { nodeName?: string }; status: { phase?: string; conditions?: { type: string; status: string }[] } }

const noDocker = dockerUnavailable();
if (noDocker) console.error(`\n*** compose up tests NOT RUN: ${noDocker} ***\n`);

describe('docker compose up with compose.yaml', { timeout: 12 * 60_000, skip: noDocker ? `DOCKER UNAVAILABLE: ${noDocker}` : false }, () => {
  const project = `ksimt${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-compose-up-'));
  const image = `kubesim-test:${project}`;
  const kubeconfig = join(dir, '.kubesim', 'kubeconfig');
  const [composeCmd, ...composeArgs] = composeCommand();
  let env: NodeJS.ProcessEnv = {};
  const compose = async (...args: string[]) => (await run(composeCmd, [...composeArgs, ...args], { cwd: dir, env, timeout: 8 * 60_000, maxBuffer: 16 << 20 })).stdout;
  const kubectl = async (...args: string[]) => (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 })).stdout;
  const getJSON = async <T>(...args: string[]) => JSON.parse(await kubectl('get', ...args, '-o', 'json')) as T;
  const ready = (p: Pod) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const nodeReady = async (name: string) => {
    const n = await getJSON<{ status: { conditions?: { type: string; status: string }[] } }>('node', name).catch(() => undefined);
    return n?.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  };

  let release: (() => void) | undefined;
  let danglingBefore = new Set<string>();
  before(async () => {
    release = await acquireHostLock('cluster');
    env = { ...process.env, COMPOSE_PROJECT_NAME: project, KUBESIM_IMAGE: image, ETCD_IMAGE, BASE_IMAGE,
      KUBESIM_APISERVER_PORT: String(await freePort()), KUBESIM_FAST_FAILOVER: 'true' };
    copyFileSync(join(ROOT, 'compose.yaml'), join(dir, 'compose.yaml'));
    danglingBefore = new Set(await danglingImages());
    await run('docker', ['build', '-q', '-t', image, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--build-arg', `ETCD_IMAGE=${ETCD_IMAGE}`, ROOT], { timeout: 6 * 60_000, maxBuffer: 16 << 20 });
    try {
      await compose('up', '-d', ...ONE_NODE);
    } catch (err) {
      console.error(await compose('logs', '--tail', '20').catch((e) => String(e)));
      throw err;
    }
  }, { timeout: 10 * 60_000 });
  after(async () => {
    try {
      await compose('down', '-v', '--remove-orphans', '-t', '5').catch((err) => console.error(`compose down: ${err}`));
      await run('docker', ['rmi', '-f', image]).catch(() => undefined);
      const left = (await danglingImages()).filter((id) => !danglingBefore.has(id));
      if (left.length) await run('docker', ['rmi', '-f', ...left]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      release?.();
    }
  }, { timeout: 3 * 60_000 });

  it('returns from up -d with an HTTPS kubeconfig for the admin and the cluster DNS answering pods', async () => {
    assert.ok(existsSync(kubeconfig), 'up -d returned before ./.kubesim/kubeconfig was written');
    assert.equal((await kubectl('config', 'view', '-o', 'jsonpath={.clusters[0].cluster.server}')), `https://127.0.0.1:${env.KUBESIM_APISERVER_PORT}`);
    assert.match(await kubectl('auth', 'whoami'), /kubernetes-admin/);
    assert.match(await compose('logs', 'addons'), /cluster DNS answers/);
    await waitFor('node-1 Ready', () => nodeReady('node-1'), { timeoutMs: 60_000, intervalMs: 1000 });
    await kubectl('run', 'dnsq', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo started; sleep 3600');
    await kubectl('wait', '--for=condition=Ready', 'pod/dnsq', '--timeout=90s');
    const out = await kubectl('exec', 'dnsq', '--', 'nslookup', 'kubernetes.default.svc.cluster.local');
    assert.match(out, /Address:\s+10\.96\.0\.1$/m);
    // logs come from the kubelet's server, which lets in only the apiserver's client certificate.
    assert.match(await kubectl('logs', 'dnsq'), /started/);
  });

  it('etcd admits only TLS clients with a certificate of its own CA; the apiserver serves gRPC over TLS', async () => {
    const etcdctl = (...args: string[]) => compose('exec', '-T', 'etcd', '/usr/local/bin/etcdctl', '--dial-timeout=3s', '--command-timeout=5s', ...args)
      .then((out) => ({ ok: true, out }), (err: Error) => ({ ok: false, out: err.message }));
    const get = ['get', '/registry/namespaces/default', '--keys-only'];
    const right = await etcdctl(...ETCD_TLS, ...get);
    assert.ok(right.ok, right.out);
    assert.match(right.out, /^\/registry\/namespaces\/default$/m);
    const ca = ETCD_TLS.slice(0, 2);
    for (const [what, args] of [['plain http', ['--endpoints=http://127.0.0.1:2379']], ['no client certificate', ca],
      ['a certificate of the cluster CA', [...ca, '--cert=/pki/pki/admin.crt', '--key=/pki/pki/admin.key']]] as const) {
      const r = await etcdctl(...args, ...get);
      assert.equal(r.ok, false, `${what}: ${r.out}`);
    }
    assert.match(await compose('logs', 'apiserver'), /apiserver listening.*grpc="0\.0\.0\.0:8081 \(TLS\)"/);
  });

  it("serves flanneld's /tables on the node address, port 8471 as in kubesim up (the dashboard's network view and trace read it)", async () => {
    const probe = "fetch('http://10.201.0.11:8471/tables?dst=10.201.0.11').then(async (r) => console.log(r.status, await r.text()))";
    const out = await compose('exec', '-T', 'flanneld-node-1', 'node', '-e', probe);
    assert.match(out, /^200 /);
    const tables = JSON.parse(out.slice(4)) as { lease?: { subnet?: string }; routes: Record<string, string> };
    assert.match(tables.lease?.subnet ?? '', /^10\.244\.\d+\.0[/-]24$/, out);
    assert.ok(tables.routes['10.201.0.11'], out);
  });

  it("gives kube-proxy's node namespace tcp_tw_reuse (the node container's sysctl: /proc/sys is read-only inside)", async () => {
    assert.equal((await compose('exec', '-T', 'kube-proxy-node-1', 'cat', '/proc/sys/net/ipv4/tcp_tw_reuse')).trim(), '1');
    assert.doesNotMatch(await compose('logs', 'kube-proxy-node-1'), /tcp_tw_reuse/, 'kube-proxy found it set and did not warn');
  });

  it('runs a pod with a secret volume: the key is readable, the volume is in memory', async () => {
    await kubectl('create', 'secret', 'generic', 'creds', '--from-literal=password=hunter2');
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 's', mountPath: '/s', readOnly: true }] }],
        volumes: [{ name: 's', secret: { secretName: 'creds' } }] },
    };
    await kubectl('run', 'reader', '--image=busybox', `--overrides=${JSON.stringify(pod)}`);
    await kubectl('wait', '--for=condition=Ready', 'pod/reader', '--timeout=90s');
    assert.equal((await kubectl('exec', 'reader', '--', 'cat', '/s/password')).trim(), 'hunter2');
    assert.match(await kubectl('exec', 'reader', '--', 'grep', ' /s ', '/proc/mounts'), /^tmpfs \/s tmpfs/m);
  });

  it('adds node-4 with kubesim compose add-node: Ready, a flannel subnet, a DaemonSet pod', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'compose', 'add-node', '--dir', dir], { env, timeout: 5 * 60_000 });
    assert.match(stdout, /node-4 Ready/);
    assert.ok(await nodeReady('node-4'), 'add-node returned before node-4 was Ready');
    const leases = await compose('exec', '-T', 'etcd', '/usr/local/bin/etcdctl', ...ETCD_TLS, 'get', '--prefix', '/coreos.com/network/subnets');
    assert.match(leases, /"PublicIP":"10\.201\.0\.14"/);
    const ds = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'everywhere' },
      spec: { selector: { matchLabels: { app: 'everywhere' } },
        template: { metadata: { labels: { app: 'everywhere' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } },
    };
    writeFileSync(join(dir, 'ds.json'), JSON.stringify(ds));
    await kubectl('create', '-f', join(dir, 'ds.json'));
    await waitFor('a ready DaemonSet pod on node-4', async () => {
      const pods = (await getJSON<{ items: Pod[] }>('pods', '-l', 'app=everywhere')).items;
      return pods.some((p) => p.spec.nodeName === 'node-4' && ready(p));
    }, { timeoutMs: 120_000, intervalMs: 2000 });
    assert.match(await compose('config', '--services'), /^kubelet-node-4$/m, 'compose.override.yaml is read with compose.yaml');
  });
});

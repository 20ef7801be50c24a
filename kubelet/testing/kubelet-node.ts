/**
 * One real node for kubectl tests: a runtime (runtime-harness) and a Kubelet in this process,
 * synced against a test control plane, plus a kubeconfig for the real kubectl. stop() deletes the
 * named pods, waits until the runtime holds no sandbox, then stops the kubelet and the runtime.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { Kubelet } from '../kubelet.js';
import { createLogger } from '../runtime/log.js';
import { startRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

export interface KubeletNode {
  h: RuntimeHarness;
  /** A kubeconfig naming the control plane's REST URL (no credentials: the plain test port). */
  kubeconfig: string;
  /** Environment for kubectl: HOME in the node's temp dir, no kuberc. */
  env: NodeJS.ProcessEnv;
  /** Deletes `pods` (namespace default), waits for their sandboxes to go, stops kubelet and runtime. */
  stop(pods: string[]): Promise<void>;
}

/** Starts the runtime (pod subnet 10.244.<octet>.0/24) and a kubelet for node `nodeName`. */
export async function startKubeletNode(cp: TestControlPlane, octet: number, nodeName: string): Promise<KubeletNode> {
  const h = await startRuntimeHarness(octet);
  const ac = new AbortController();
  const kubelet = new Kubelet({
    client: cp.client, criEndpoint: `unix://${join(h.dir, 'cri.sock')}`, rootDir: join(h.dir, 'kubelet'), logRoot: join(h.dir, 'pod-logs'),
    node: { name: nodeName, ip: '127.0.0.1' }, cluster: { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', nodeResolvConf: '' },
    log: createLogger('kubelet', !process.env.KSIM_LOGS), relistMs: 300, serverHost: '127.0.0.1', serverPort: 0,
  });
  const running = kubelet.run(ac.signal);
  const kubeconfig = join(h.dir, 'kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: '${cp.restURL}'}}]\ncontexts: [{name: t, context: {cluster: t, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: t\n`);
  return {
    h, kubeconfig, env: { ...process.env, HOME: h.dir, KUBECTL_KUBERC: 'false' },
    async stop(pods) {
      for (const name of pods) await cp.client.delete({ resource: 'pods', namespace: 'default', name }).catch(() => undefined);
      await waitFor('pod sandboxes removed', async () => (await h.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 30_000 }).catch(() => undefined);
      ac.abort();
      await running.catch(() => undefined);
      await h.cleanup();
    },
  };
}

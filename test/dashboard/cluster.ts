/**
 * A small cluster for the dashboard's browser tests and benchmark, all in this process: a real
 * etcd + apiserver, the real scheduler and controllers (deployment, replicaset, endpoints, node
 * lifecycle with a short grace period), groups of hollow nodes that can be stopped one group at
 * a time (the "stop node" chaos action), and the dashboard server.
 */
import { setMaxListeners } from 'node:events';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { EventRecorder } from '../../lib/client/event-recorder.js';
import { startControllers } from '../../controller-manager/run.js';
import { startScheduler } from '../../scheduler/run.js';
import { runHollowNodes } from '../../kubelet/hollow.js';
import { createLogger } from '../../kubelet/runtime/log.js';
import { startDashboard, type RunningDashboard } from '../../dashboard/server/index.js';

/** A running cluster with its dashboard. */
export interface DashCluster {
  cp: TestControlPlane;
  dash: RunningDashboard;
  /** Stops the heartbeats and pod handling of the hollow group `prefix`. */
  stopGroup(prefix: string): void;
  stop(): Promise<void>;
}

/** Starts the cluster; `groups` are hollow node groups, each stoppable as a "node". */
export async function startDashCluster(groups: Array<{ prefix: string; count: number }>, opts: { nodeGraceMs?: number; flushMs?: number; flannelMetrics?: () => Record<string, string> } = {}): Promise<DashCluster> {
  const cp = await startControlPlane();
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const groupAcs = new Map<string, AbortController>();
  const running: Promise<unknown>[] = [];
  const log = createLogger('hollow', true);
  let dash: RunningDashboard | undefined;
  const stop = async () => {
    await dash?.close();
    ac.abort();
    for (const g of groupAcs.values()) g.abort();
    await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, 5000))]);
    await cp.stop();
  };
  try {
    const recorder = new EventRecorder(cp.client, { component: 'controller-manager' });
    running.push(startControllers(cp.client, recorder, ac.signal, {
      controllers: 'deployment,replicaset,statefulset,daemonset,job,endpoints,nodelifecycle', workers: 2,
      nodeMonitorGracePeriodMs: opts.nodeGraceMs ?? 3000, podEvictionTimeoutMs: 300_000,
    }).catch(() => undefined));
    const sched = await startScheduler(cp.client, ac.signal, { decisionAnnotation: true });
    running.push(sched.done);
    for (const g of groups) {
      const gac = new AbortController();
      groupAcs.set(g.prefix, gac);
      running.push(runHollowNodes({ client: cp.client, count: g.count, prefix: g.prefix, startupMs: 50, heartbeatMs: 500, log }, gac.signal).catch(() => undefined));
    }
    dash = await startDashboard({
      client: cp.client, restURL: cp.restURL, flushMs: opts.flushMs, flannelMetrics: opts.flannelMetrics,
      chaos: {
        'stop-node': {
          label: 'Stop node', target: 'node',
          run: async (node) => {
            const prefix = [...groupAcs.keys()].find((p) => node.startsWith(p));
            if (!prefix) throw new Error(`${node} is not a node this cluster can stop`);
            groupAcs.get(prefix)!.abort();
            return `stopped the kubelet of ${node}`;
          },
        },
      },
    });
    return { cp, dash, stopGroup: (p) => groupAcs.get(p)?.abort(), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

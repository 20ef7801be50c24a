#!/usr/bin/env node
/**
 * Scheduler throughput: 100 fake nodes, 3,000 pods. Measured side by side against one
 * apiserver process: (1) the raw rate of Binding calls by a trivial round-robin binder,
 * (2) the rate at which the real scheduler binds pending pods (filters, scores, binding,
 * Scheduled events). Goals: ratio ≥ 0.7 and ≥ 300 pods/s.
 * Flags: --nodes N --pods N --rounds N (raw and scheduler phases alternate) --concurrency N --no-events
 */
import { parseArgs } from 'node:util';
import { ApiClient } from '../../lib/client/api-client.js';
import type { KObject } from '../../lib/api/object.js';
import { makeNode, makePod } from '../../scheduler/framework/testing.js';
import { DEFAULT_EVENT_RATE, EventRecorder } from '../../lib/client/event-recorder.js';
import type { EventSink } from '../../scheduler/scheduler.js';
import { startScheduler } from '../../scheduler/run.js';
import { podObject, registerNode } from '../../scheduler/testing-api.js';
import { startApiServerProcess } from './apiserver-process.js';

const { values: args } = parseArgs({ options: {
  nodes: { type: 'string', default: '100' }, pods: { type: 'string', default: '3000' },
  concurrency: { type: 'string', default: '64' }, rounds: { type: 'string', default: '3' }, 'no-events': { type: 'boolean', default: false },
} });
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Math.max(1, Number(args.rounds));

/** Runs `fn` over 0..n-1 with at most `limit` calls in flight. */
async function parallel(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => { while (next < n) await fn(next++); }));
}

function benchPod(i: number, namespace: string, schedulerName: string): KObject {
  return podObject(makePod(`pod-${i}`, { cpu: '100m', memory: '128Mi', namespace, labels: { app: `app-${i % 10}` } }), schedulerName);
}

async function createNamespace(client: ApiClient, name: string): Promise<void> {
  await client.create({ resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** Phase 1 of a round: create `n` pods nobody schedules, then time round-robin Binding calls; delete them again. */
async function rawRound(client: ApiClient, ns: string, n: number): Promise<number> {
  await createNamespace(client, ns);
  await parallel(n, CONCURRENCY, (i) => client.create({ resource: 'pods', namespace: ns }, benchPod(i, ns, 'nobody')));
  const t0 = performance.now();
  await parallel(n, CONCURRENCY, (i) => client.bind(ns, `pod-${i}`, `node-${i % NODES}`));
  const seconds = (performance.now() - t0) / 1000;
  // No kubelet runs here, so no grace period: both phases then see the same cluster.
  await parallel(n, CONCURRENCY, (i) => client.delete({ resource: 'pods', namespace: ns, name: `pod-${i}` }, { gracePeriodSeconds: 0 }));
  return seconds;
}

/** Phase 2: create `n` pending pods, start a fresh scheduler, time from cache sync until all are bound. */
async function schedulerRound(client: ApiClient, ns: string, n: number): Promise<{ seconds: number; syncSeconds: number; eventsSeconds: number }> {
  await createNamespace(client, ns);
  await parallel(n, CONCURRENCY, (i) => client.create({ resource: 'pods', namespace: ns }, benchPod(i, ns, 'default-scheduler')));
  let bound = 0;
  let allBound!: () => void;
  const finished = new Promise<void>((r) => { allBound = r; });
  // The scheduler's own recorder settings: events written at most 50/s (bursts of 100), as kube-scheduler's client allows.
  const real = new EventRecorder(client, { component: 'default-scheduler' }, {}, DEFAULT_EVENT_RATE);
  const events: EventSink = {
    event(obj, type, reason, message) {
      if (!args['no-events']) real.event(obj, type, reason, message);
      if (reason === 'Scheduled' && obj.metadata?.namespace === ns && ++bound === n) allBound();
    },
  };
  const ac = new AbortController();
  let t0 = performance.now();
  const running = await startScheduler(client, ac.signal, { events, maxInFlightBinds: CONCURRENCY });
  const syncSeconds = (performance.now() - t0) / 1000;
  try {
    t0 = performance.now();
    await finished;
    const seconds = (performance.now() - t0) / 1000;
    await real.flush();
    return { seconds, syncSeconds, eventsSeconds: (performance.now() - t0) / 1000 };
  } finally {
    ac.abort();
    await running.done;
    // Delete its pods too, so every round of either phase starts from the same empty cluster.
    await parallel(n, CONCURRENCY, (i) => client.delete({ resource: 'pods', namespace: ns, name: `pod-${i}` }, { gracePeriodSeconds: 0 }));
  }
}

async function main(): Promise<void> {
  const api = await startApiServerProcess();
  const client = ApiClient.connect(api.grpcTarget);
  try {
    await parallel(NODES, CONCURRENCY, (i) => registerNode(client, makeNode(`node-${i}`, { cpu: '32', memory: '64Gi', pods: 110 })));
    // Rounds alternate raw and scheduler phases so load from elsewhere on the machine hits both alike.
    const perRound = Math.ceil(PODS / ROUNDS);
    let rawSeconds = 0;
    let schedSeconds = 0;
    let syncSeconds = 0;
    let eventsSeconds = 0;
    for (let r = 0; r < ROUNDS; r++) {
      rawSeconds += await rawRound(client, `bench-raw-${r}`, perRound);
      const s = await schedulerRound(client, `bench-sched-${r}`, perRound);
      schedSeconds += s.seconds;
      syncSeconds += s.syncSeconds;
      eventsSeconds += s.eventsSeconds;
    }
    const total = perRound * ROUNDS;
    const raw = total / rawSeconds;
    const sched = total / schedSeconds;
    const ratio = sched / raw;
    console.log(`nodes=${NODES} pods=${total} (${ROUNDS} rounds) concurrency=${CONCURRENCY} events=${!args['no-events']}`);
    console.log('| measure | seconds | pods/s |');
    console.log('| --- | --- | --- |');
    console.log(`| raw Binding calls, round-robin | ${rawSeconds.toFixed(2)} | ${raw.toFixed(0)} |`);
    console.log(`| scheduler (cache sync ${syncSeconds.toFixed(2)} s not counted) | ${schedSeconds.toFixed(2)} | ${sched.toFixed(0)} |`);
    if (!args['no-events']) console.log(`| … until its Scheduled events were all written (in the background) | ${eventsSeconds.toFixed(2)} | |`);
    console.log(`ratio scheduler/raw = ${ratio.toFixed(2)} (goal ≥ 0.7) ${ratio >= 0.7 ? 'OK' : 'BELOW GOAL'}; absolute ${sched.toFixed(0)} pods/s (goal ≥ 300) ${sched >= 300 ? 'OK' : 'BELOW GOAL'}`);
    console.log(JSON.stringify({ bench: 'scheduler', nodes: NODES, pods: total, rounds: ROUNDS, rawPodsPerSec: raw, schedulerPodsPerSec: sched, ratio }));
  } finally {
    client.close();
    await api.stop();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });

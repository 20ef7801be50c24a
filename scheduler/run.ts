/**
 * Wires a Scheduler to the apiserver: shared informers on pods, nodes, namespaces and storage
 * objects (claims, volumes, classes) feed it;
 * it starts scheduling once the caches have synced. main.ts, the integration test and the
 * bench all start the scheduler through here.
 */
import type { ApiClient } from '../lib/client/api-client.js';
import { InformerFactory } from '../lib/client/informer.js';
import type { KObject } from '../lib/api/object.js';
import { Framework, type Profile } from './framework/registry.js';
import type { Node, Pod } from './framework/types.js';
import { DEFAULT_EVENT_RATE, EventRecorder, type WriteRateOptions } from '../lib/client/event-recorder.js';
import { defaultProfile, inTreeRegistry } from './plugins/index.js';
import { Scheduler, type EventSink, type SchedulerOptions } from './scheduler.js';

/** Options of startScheduler (the Scheduler's, minus what is derived from the client). */
export interface StartOptions extends Omit<SchedulerOptions, 'frameworks' | 'client' | 'events'> {
  /** Profiles (from --config); default: the default profile named `schedulerName`. */
  profiles?: Profile[];
  schedulerName?: string;
  /** One sink for every profile's Events; default: an EventRecorder per profile. */
  events?: EventSink;
  /** Event writes per second of the default recorders (default 50, bursts of 100; qps 0 = no limit). */
  eventRate?: WriteRateOptions;
}

/** A running scheduler; `done` settles after `signal` aborted and bindings in flight finished. */
export interface RunningScheduler { scheduler: Scheduler; done: Promise<void> }

/** Builds the default-profile scheduler, starts informers, waits for sync and schedules until `signal` aborts. */
export async function startScheduler(client: ApiClient, signal: AbortSignal, opts: StartOptions = {}): Promise<RunningScheduler> {
  const registry = inTreeRegistry();
  const profiles = opts.profiles ?? [defaultProfile(opts.schedulerName ?? 'default-scheduler')];
  const frameworks = profiles.map((p) => new Framework(registry, p));
  const events = (name: string): EventSink => opts.events ?? new EventRecorder(client, { component: name }, {}, opts.eventRate ?? DEFAULT_EVENT_RATE);
  const scheduler = new Scheduler({ ...opts, frameworks, client, events });
  const factory = new InformerFactory(client);
  factory.informerFor<Node & KObject>({ resource: 'nodes' }).addEventHandler(scheduler.nodeHandlers());
  factory.informerFor({ resource: 'namespaces' }).addEventHandler(scheduler.namespaceHandlers());
  factory.informerFor({ resource: 'persistentvolumeclaims' }).addEventHandler(scheduler.storageHandlers('claims'));
  factory.informerFor({ resource: 'persistentvolumes' }).addEventHandler(scheduler.storageHandlers('volumes'));
  factory.informerFor({ group: 'storage.k8s.io', resource: 'storageclasses' }).addEventHandler(scheduler.storageHandlers('classes'));
  factory.informerFor<Pod & KObject>({ resource: 'pods' }).addEventHandler(scheduler.podHandlers());
  factory.start(signal);
  await factory.waitForCacheSync(signal);
  return { scheduler, done: scheduler.run(signal) };
}

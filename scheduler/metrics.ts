/**
 * kube-scheduler's main metrics, same names: attempts by result, attempt latency, pending pods
 * per queue, preemption attempts and victims. One prom-client Registry per scheduler (no globals,
 * so tests and benches can run several).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SchedulingQueue } from './queue/scheduling-queue.js';

/** Outcome label of a scheduling attempt. */
export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** The scheduler's metrics. */
export class SchedulerMetrics {
  readonly registry = new Registry();
  private readonly attempts: Counter<'profile' | 'result'>;
  private readonly duration: Histogram<'profile' | 'result'>;
  private readonly preemptionAttempts: Counter;
  private readonly victims: Histogram;

  constructor(queue: SchedulingQueue) {
    const registers = [this.registry];
    this.attempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result.', labelNames: ['profile', 'result'], registers });
    this.duration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds', help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).',
      labelNames: ['profile', 'result'], buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048], registers,
    });
    new Gauge({
      name: 'scheduler_pending_pods', help: 'Number of pending pods, by the queue type.', labelNames: ['queue'], registers,
      collect() {
        const l = queue.lengths;
        this.set({ queue: 'active' }, l.active);
        this.set({ queue: 'backoff' }, l.backoff);
        this.set({ queue: 'unschedulable' }, l.unschedulable);
      },
    });
    this.preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now.', registers });
    this.victims = new Histogram({ name: 'scheduler_preemption_victims', help: 'Number of selected preemption victims.', buckets: [1, 2, 4, 8, 16, 32, 64], registers });
  }

  /** Records one attempt of a profile and how long it took (ms). */
  attempt(profile: string, result: AttemptResult, ms: number): void {
    this.attempts.inc({ profile, result });
    this.duration.observe({ profile, result }, ms / 1000);
  }

  /** Records a preemption attempt and, when it found a node, its victim count. */
  preemption(victims: number | undefined): void {
    this.preemptionAttempts.inc();
    if (victims !== undefined) this.victims.observe(victims);
  }
}

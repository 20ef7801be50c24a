/** Runs async jobs one after another (lease events arrive synchronously; kernel changes must keep their order). */
import { logger } from '../log.js';

const log = logger('flanneld');

/** A FIFO of async jobs; a failing job is logged and does not stop the ones after it. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Appends a job; the returned promise settles when it has run. */
  push(what: string, job: () => Promise<void>): Promise<void> {
    const run = this.tail.then(job).catch((err) => { log.error(`${what} failed`, { err }); });
    this.tail = run;
    return run;
  }

  /** Resolves once every job queued so far has run. */
  idle(): Promise<void> { return this.tail; }
}

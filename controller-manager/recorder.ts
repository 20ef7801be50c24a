/** What controllers need to record Kubernetes Events about an object. */
import type { KObject } from '../lib/api/object.js';

export interface Recorder {
  /** Records an event (type Normal|Warning) about obj; best effort, never throws. */
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

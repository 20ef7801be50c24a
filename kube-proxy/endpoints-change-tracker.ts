/** Tracks Endpoints changes as per-service-port previous/current ready endpoint lists (see change-tracker.ts). */
import type { Endpoints } from '../lib/api/types.js';
import { ChangeTracker } from './change-tracker.js';
import { endpointsOf, sameEndpoints, type EndpointInfo } from './endpoints.js';

/** Coalesces Endpoints events into per-service-port changes for the next sync. */
export class EndpointsChangeTracker extends ChangeTracker<Endpoints, EndpointInfo[]> {
  constructor() { super(endpointsOf, sameEndpoints); }
}

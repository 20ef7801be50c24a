/** Tracks Service changes as per-service-port previous/current state (see change-tracker.ts). */
import type { Service } from '../lib/api/types.js';
import { ChangeTracker } from './change-tracker.js';
import { samePort, servicePortsOf, type ServicePortInfo } from './service-port.js';

/** Coalesces Service events into per-service-port changes for the next sync. */
export class ServiceChangeTracker extends ChangeTracker<Service, ServicePortInfo> {
  constructor() { super(servicePortsOf, samePort); }
}

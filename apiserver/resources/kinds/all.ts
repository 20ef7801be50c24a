/**
 * Per-kind behaviour, keyed as `resource` (core) or `resource.group`. Kinds not listed get
 * ObjectMeta validation and the default NAME / CREATED AT table.
 */
import type { KindBehaviour } from '../define.js';
import { pods } from './pods.js';
import { services } from './services.js';
import { endpoints, endpointSlices } from './endpoints.js';

/** Behaviour of each kind that has any beyond the defaults. */
export const KIND_BEHAVIOURS: Record<string, KindBehaviour> = {
  pods,
  services,
  endpoints,
  'endpointslices.discovery.k8s.io': endpointSlices,
};

/**
 * The built-in resources of the apiserver: identity (catalog.ts) + per-kind behaviour (kinds/).
 * apiserver-core registers these; the REST facade serves their identity in discovery and their
 * tableColumns/tableRow as kubectl Tables.
 */
import type { ResourceDef } from '../registry/types.js';
import { identities } from './catalog.js';
import { defineResource, type KindBehaviour } from './define.js';
import { KIND_BEHAVIOURS } from './kinds/all.js';

/** Every built-in ResourceDef (core first, then the named groups). */
export function builtinResources(): ResourceDef[] {
  return identities().map((id) => defineResource(id, KIND_BEHAVIOURS[behaviourKey(id.group, id.resource)] as KindBehaviour | undefined));
}

/** The key of a kind in KIND_BEHAVIOURS: `resource` for core, `resource.group` otherwise. */
export function behaviourKey(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export { STANDARD_VERBS } from './catalog.js';

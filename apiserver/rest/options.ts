/**
 * Query parameters and DeleteOptions bodies → the registry's option types. Invalid numbers and
 * enum values become 400 BadRequest, as in Kubernetes' parameter codec.
 */
import { ApiError } from '../../lib/errors.js';
import type { DeleteOptions, ListOptions, WatchOptions } from '../registry/types.js';
import { isTrue } from './request-info.js';

function intParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new ApiError('BadRequest', `invalid value for ${key}: ${JSON.stringify(v)} is not an integer`);
  return Number(v);
}

function strParam(q: URLSearchParams, key: string): string | undefined {
  const v = q.get(key);
  return v === null || v === '' ? undefined : v;
}

/** labelSelector, fieldSelector, limit, continue, resourceVersion for a list. */
export function listOptions(q: URLSearchParams): ListOptions {
  const limit = intParam(q, 'limit');
  if (limit !== undefined && limit < 0) throw new ApiError('BadRequest', `invalid value for limit: must be >= 0`);
  return {
    labelSelector: strParam(q, 'labelSelector'),
    fieldSelector: strParam(q, 'fieldSelector'),
    limit: limit || undefined,
    continue: strParam(q, 'continue'),
    resourceVersion: strParam(q, 'resourceVersion'),
  };
}

/** Options of a watch request plus its timeout in seconds (undefined = server default). */
export function watchOptions(q: URLSearchParams): WatchOptions & { timeoutSeconds?: number } {
  const timeoutSeconds = intParam(q, 'timeoutSeconds');
  if (timeoutSeconds !== undefined && timeoutSeconds < 0) throw new ApiError('BadRequest', 'invalid value for timeoutSeconds: must be >= 0');
  const sie = q.get('sendInitialEvents');
  return {
    labelSelector: strParam(q, 'labelSelector'),
    fieldSelector: strParam(q, 'fieldSelector'),
    resourceVersion: strParam(q, 'resourceVersion'),
    allowWatchBookmarks: isTrue(q.get('allowWatchBookmarks')),
    sendInitialEvents: sie === null ? undefined : isTrue(sie),
    timeoutSeconds,
  };
}

/** `dryRun=All` → true; any other non-empty value is rejected as Kubernetes does. */
export function dryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun').filter((v) => v !== '');
  for (const v of values) if (v !== 'All') throw new ApiError('BadRequest', `Invalid dry run value: ${JSON.stringify(v)}, supported values: "All"`);
  return values.length > 0;
}

const POLICIES = new Set(['Orphan', 'Background', 'Foreground']);

/** Merges a DeleteOptions body (may be absent) with the query parameters (query wins, as in Kubernetes). */
export function deleteOptions(body: Record<string, unknown> | undefined, q: URLSearchParams): DeleteOptions {
  const opts: DeleteOptions = {};
  if (body) {
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw new ApiError('BadRequest', `expected a DeleteOptions body, got kind ${JSON.stringify(body.kind)}`);
    if (body.gracePeriodSeconds !== undefined && body.gracePeriodSeconds !== null) {
      if (typeof body.gracePeriodSeconds !== 'number' || !Number.isInteger(body.gracePeriodSeconds)) throw new ApiError('BadRequest', 'DeleteOptions.gracePeriodSeconds must be an integer');
      opts.gracePeriodSeconds = body.gracePeriodSeconds;
    }
    if (body.propagationPolicy !== undefined && body.propagationPolicy !== null) opts.propagationPolicy = body.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (body.orphanDependents === true && !opts.propagationPolicy) opts.propagationPolicy = 'Orphan';
    if (body.preconditions && typeof body.preconditions === 'object') opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
  }
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = strParam(q, 'propagationPolicy');
  if (policy !== undefined) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy !== undefined && !POLICIES.has(opts.propagationPolicy)) {
    throw new ApiError('BadRequest', `propagationPolicy: Unsupported value: ${JSON.stringify(opts.propagationPolicy)}: supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 0;
  return opts;
}

/**
 * The opaque `continue` token of a paged list, shaped like Kubernetes' (base64 JSON with the
 * list revision and the next key relative to the collection prefix), so a page resumes at the
 * same revision the first page was read at.
 */
import { ApiError } from '../../lib/errors.js';

/** Decoded continue token. */
export interface ContinueToken { rv: number; start: string }

/** Encodes the revision and the next key (relative to `prefix`). */
export function encodeContinue(prefix: string, nextKey: string, rv: number): string {
  if (!nextKey.startsWith(prefix)) throw new Error(`continue key ${nextKey} outside ${prefix}`);
  const body = { v: 'meta.k8s.io/v1', rv, start: nextKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** Decodes a token; bad input → 400 BadRequest like Kubernetes. */
export function decodeContinue(prefix: string, token: string): ContinueToken & { key: string } {
  let body: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError('BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (body?.v !== 'meta.k8s.io/v1') throw new ApiError('BadRequest', 'continue key is not valid: server does not recognize this encoded key');
  if (typeof body.rv !== 'number' || !Number.isInteger(body.rv) || body.rv <= 0) throw new ApiError('BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof body.start !== 'string' || body.start.includes('..') || body.start.startsWith('/')) throw new ApiError('BadRequest', 'continue key is not valid: encoded key is not valid');
  return { rv: body.rv, start: body.start, key: prefix + body.start };
}

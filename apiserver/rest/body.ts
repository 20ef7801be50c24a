/**
 * Request bodies: read with a size cap (Kubernetes refuses bodies over 3 MiB), then decode JSON or
 * YAML according to Content-Type, turning every decoding problem into a 400 that names it.
 */
import type { IncomingMessage } from 'node:http';
import { parseAllDocuments } from 'yaml';
import { ApiError } from '../../lib/errors.js';
import type { PatchType } from '../registry/types.js';
import { PROTOBUF_MEDIA_TYPE, decodeKubernetesProtobuf } from './protobuf/decode.js';

/** Largest accepted request body (Kubernetes' default MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body; rejects with 413 TooLarge past `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new ApiError('TooLarge', `the request body is too large: ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0)); // already read: nothing left
  // Plain stream events: an async iterator over the request costs several promises per chunk on every write.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: unknown) => { if (!settled) { settled = true; reject(err); } };
    req.on('data', (chunk: Buffer) => {
      if (settled) return; // past the limit: the rest is read and dropped
      size += chunk.length;
      if (size > limit) { fail(new ApiError('TooLarge', `the request body is too large: it exceeds the limit of ${limit} bytes`)); return; }
      chunks.push(chunk);
    });
    req.once('end', () => { if (!settled) { settled = true; resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)); } });
    req.once('error', fail);
    req.once('close', () => { if (!settled) fail(new ApiError('BadRequest', 'the request body ended early: the client closed the connection')); });
  });
}

/** The media type part of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Maps a PATCH Content-Type to the registry's PatchType; 415 for anything else. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  switch (mediaType(contentType)) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml': case 'application/apply-patch+json': return 'apply';
    default:
      throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
}

/** Decodes a body as JSON, YAML (one document) or Kubernetes protobuf, by media type. */
export function decodeBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  // kubectl 1.32+ typed clients (every `kubectl create <kind>`) send Kubernetes protobuf.
  if (type === PROTOBUF_MEDIA_TYPE) return decodeKubernetesProtobuf(buf);
  const text = buf.toString('utf8');
  if (text.trim() === '') throw new ApiError('BadRequest', 'the request body is empty');
  if (type.endsWith('yaml')) return decodeYaml(text);
  if (type !== '' && !type.endsWith('json') && type !== '*/*' && type !== 'text/plain') {
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  try {
    return withinDepth(JSON.parse(text));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // Clients sometimes label YAML as JSON; Kubernetes' decoder also accepts YAML there.
    if (type === '' && !/^\s*[[{]/.test(text)) return decodeYaml(text);
    throw new ApiError('BadRequest', `couldn't decode the request body as JSON: ${(err as Error).message}`);
  }
}

function decodeYaml(text: string): unknown {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length === 0) throw new ApiError('BadRequest', 'the request body is empty');
  if (docs.length > 1) throw new ApiError('BadRequest', `the request body must hold one YAML document, found ${docs.length}`);
  const doc = docs[0];
  if (doc.errors.length) throw new ApiError('BadRequest', `couldn't decode the request body as YAML: ${doc.errors[0].message.split('\n')[0]}`);
  try {
    return withinDepth(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // e.g. an alias without its anchor, or an alias bomb past maxAliasCount
    throw new ApiError('BadRequest', `couldn't decode the request body as YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Deepest nesting a body may have: later recursive steps (defaulting, patches) must not overflow the stack. */
const MAX_DEPTH = 500;

/** Returns `v` unless it nests deeper than MAX_DEPTH (400). */
function withinDepth(v: unknown): unknown {
  if (depthOf(v, 1) > MAX_DEPTH) throw new ApiError('BadRequest', `the request body nests deeper than ${MAX_DEPTH} levels`);
  return v;
}

// Recursion stops one level past the limit, so the stack stays shallow whatever the input.
function depthOf(v: unknown, depth: number): number {
  if (v === null || typeof v !== 'object') return depth - 1;
  if (depth > MAX_DEPTH) return depth;
  let max = depth;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) { const d = depthOf(v[i], depth + 1); if (d > max) { max = d; if (max > MAX_DEPTH) return max; } }
  } else {
    for (const k in v) { const d = depthOf((v as Record<string, unknown>)[k], depth + 1); if (d > max) { max = d; if (max > MAX_DEPTH) return max; } }
  }
  return max;
}

/** Decodes the body and requires a JSON object (not an array, string or null). */
export function decodeObject(buf: Buffer, contentType: string | undefined): Record<string, unknown> {
  const v = decodeBody(buf, contentType);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ApiError('BadRequest', `the request body must be a JSON object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  }
  return v as Record<string, unknown>;
}

/** Decodes a PATCH body: a JSON array for json-patch, an object for the others (YAML for apply). */
export function decodePatch(buf: Buffer, type: PatchType): unknown {
  const contentType = type === 'apply' ? 'application/yaml' : 'application/json';
  const v = decodeBody(buf, contentType);
  if (type === 'json' && !Array.isArray(v)) throw new ApiError('BadRequest', 'a JSON patch must be an array of operations');
  if (type !== 'json' && (v === null || typeof v !== 'object' || Array.isArray(v))) {
    throw new ApiError('BadRequest', `a ${type} patch must be a JSON object`);
  }
  return v;
}

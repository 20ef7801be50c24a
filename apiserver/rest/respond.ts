/**
 * Writing responses: JSON bodies with the right Content-Type, and every error as a Kubernetes
 * Status object with its HTTP code — never a stack trace on the wire.
 */
import type { ServerResponse } from 'node:http';
import { ApiError, isApiError, type StatusObject } from '../../lib/errors.js';
import { logLine } from './log.js';

/** Sends `body` as JSON with `code`; `contentType` overrides application/json (e.g. aggregated discovery). */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const data = Buffer.from(wantsPretty(res) ? JSON.stringify(body, null, 2) + '\n' : JSON.stringify(body));
  // Headers as a flat list: Node writes them without building and validating a header object.
  res.writeHead(code, ['Content-Type', contentType, 'Content-Length', String(data.length), 'Cache-Control', 'no-cache, private']);
  res.end(res.req?.method === 'HEAD' ? undefined : data);
}

/** Kubernetes indents JSON for ?pretty=true and for curl/wget users exploring the API by hand. */
function wantsPretty(res: ServerResponse): boolean {
  const req = res.req;
  if (!req) return false;
  const pretty = /[?&]pretty=([^&]*)/.exec(req.url ?? '')?.[1];
  if (pretty !== undefined) return pretty === 'true' || pretty === '1';
  return /^(curl|Wget)\//.test(req.headers['user-agent'] ?? '');
}

/** Turns anything thrown into an ApiError; unexpected errors become a generic 500 (details go to the log only). */
export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  // Kubernetes-shaped errors from libraries that do not use our class (same fields, other realm).
  const e = err as { code?: unknown; toStatus?: () => StatusObject };
  if (e && typeof e.toStatus === 'function' && typeof e.code === 'string') return ApiError.fromStatus(e.toStatus());
  logLine('error', 'internal error while serving request', { err: (err as Error)?.stack ?? String(err) });
  return new ApiError('Internal', 'Internal error occurred: the server could not complete the request');
}

/** Sends `err` as a Status with its HTTP status (no-op when the headers are already out). */
export function sendError(res: ServerResponse, err: unknown): number {
  const apiErr = toApiError(err);
  const status = apiErr.toStatus();
  if (res.headersSent) {
    res.destroy();
    return status.code;
  }
  if (apiErr.code === 'TooManyRequests' || apiErr.code === 'Unavailable') res.setHeader('Retry-After', String(apiErr.details?.retryAfterSeconds ?? 1));
  sendJson(res, status.code, status);
  return status.code;
}

/** A success Status (what Kubernetes returns for some deletes and for bindings). */
export function successStatus(code = 200, details?: Record<string, unknown>): Record<string, unknown> {
  const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}

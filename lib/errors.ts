/**
 * One typed error for the whole project. A code maps to an HTTP status + Kubernetes
 * `Status.reason` (REST edge) and to a gRPC status code (gRPC edge); convert only at the edges.
 */
export type ApiErrorCode =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'Forbidden'
  | 'Unauthorized' | 'Gone' | 'TooLarge' | 'Unavailable' | 'Internal' | 'MethodNotAllowed'
  | 'NotAcceptable' | 'UnsupportedMediaType' | 'Timeout' | 'TooManyRequests';

/** One entry of `Status.details.causes`. */
export interface StatusCause { reason?: string; message?: string; field?: string }

/** Extra `Status.details` fields. */
export interface StatusDetails { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number }

interface CodeInfo { http: number; reason: string; grpc: number }

// gRPC codes: https://grpc.github.io/grpc/core/md_doc_statuscodes.html
const CODES: Record<ApiErrorCode, CodeInfo> = {
  NotFound: { http: 404, reason: 'NotFound', grpc: 5 },
  AlreadyExists: { http: 409, reason: 'AlreadyExists', grpc: 6 },
  Conflict: { http: 409, reason: 'Conflict', grpc: 10 },
  Invalid: { http: 422, reason: 'Invalid', grpc: 3 },
  BadRequest: { http: 400, reason: 'BadRequest', grpc: 3 },
  Forbidden: { http: 403, reason: 'Forbidden', grpc: 7 },
  Unauthorized: { http: 401, reason: 'Unauthorized', grpc: 16 },
  Gone: { http: 410, reason: 'Expired', grpc: 11 },
  TooLarge: { http: 413, reason: 'RequestEntityTooLarge', grpc: 8 },
  Unavailable: { http: 503, reason: 'ServiceUnavailable', grpc: 14 },
  Internal: { http: 500, reason: 'InternalError', grpc: 13 },
  MethodNotAllowed: { http: 405, reason: 'MethodNotAllowed', grpc: 12 },
  NotAcceptable: { http: 406, reason: 'NotAcceptable', grpc: 3 },
  UnsupportedMediaType: { http: 415, reason: 'UnsupportedMediaType', grpc: 3 },
  Timeout: { http: 504, reason: 'Timeout', grpc: 4 },
  TooManyRequests: { http: 429, reason: 'TooManyRequests', grpc: 8 },
};

/** A Kubernetes `Status` object (kind Status, apiVersion v1). */
export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** An API error with a code; `details` carries the object name/kind and field causes. */
export class ApiError extends Error {
  constructor(public readonly code: ApiErrorCode, message: string, public readonly details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
  }
  get httpStatus(): number { return CODES[this.code].http; }
  get reason(): string { return CODES[this.code].reason; }
  get grpcCode(): number { return CODES[this.code].grpc; }

  /** The Kubernetes `Status` body for this error. */
  toStatus(): StatusObject {
    const s: StatusObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.httpStatus };
    if (this.details && Object.keys(this.details).length) s.details = this.details;
    return s;
  }

  /** Rebuilds an ApiError from a Kubernetes Status body (client side). */
  static fromStatus(s: Partial<StatusObject>): ApiError {
    const code = (Object.keys(CODES) as ApiErrorCode[]).find((c) => CODES[c].reason === s.reason)
      ?? (Object.keys(CODES) as ApiErrorCode[]).find((c) => CODES[c].http === s.code) ?? 'Internal';
    return new ApiError(code, s.message ?? code, s.details);
  }

  /** Maps a gRPC status code back to the closest ApiErrorCode (client side; the Status body, if sent, is more precise). */
  static codeFromGrpc(grpc: number): ApiErrorCode {
    return (Object.keys(CODES) as ApiErrorCode[]).find((c) => CODES[c].grpc === grpc) ?? 'Internal';
  }
}

/** Kubernetes' "<kind> \"<name>\" not found" error. */
export function notFound(resource: string, name: string, group = ''): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError('NotFound', `${qualified} "${name}" not found`, { name, group: group || undefined, kind: resource });
}

/** Kubernetes' "<kind> \"<name>\" already exists" error. */
export function alreadyExists(resource: string, name: string, group = ''): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError('AlreadyExists', `${qualified} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}

/** Kubernetes' optimistic-concurrency conflict error. */
export function conflict(resource: string, name: string, group = ''): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: group || undefined, kind: resource });
}

/** One field problem, as Kubernetes' field.Error: type is e.g. FieldValueRequired, FieldValueInvalid. */
export interface FieldError { type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTypeInvalid'; field: string; message: string; value?: unknown }

const FIELD_WORDS: Record<FieldError['type'], string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
};

function renderField(e: FieldError): string {
  const words = FIELD_WORDS[e.type];
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden') return `${e.field}: ${words}${e.message ? `: ${e.message}` : ''}`;
  const v = e.value === undefined ? '' : ` ${JSON.stringify(e.value)}`;
  return `${e.field}: ${words}:${v}${e.message ? `: ${e.message}` : ''}`;
}

/** Kubernetes' 422 Invalid: `<Kind> "<name>" is invalid: <field>: <words>: <value>: <message>` with one cause per field. */
export function invalid(kind: string, name: string, errors: FieldError[], group = ''): ApiError {
  const rendered = errors.map(renderField);
  const list = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  return new ApiError('Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${list}`, {
    name, group: group || undefined, kind,
    causes: errors.map((e, i) => ({ reason: e.type, message: rendered[i].slice(e.field.length + 2), field: e.field })),
  });
}

/** True when `err` is an ApiError with the given code. */
export function isApiError(err: unknown, code?: ApiErrorCode): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

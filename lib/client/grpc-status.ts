/**
 * ApiError <-> gRPC status. The server ends a failed call with the ApiError's gRPC code and the
 * Kubernetes Status JSON in trailing metadata (`kubesim-status-bin`), so the client rebuilds the
 * exact ApiError (code, message, details) instead of guessing from the gRPC code.
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ApiError, type StatusObject } from '../errors.js';

/** Trailing metadata key carrying the Kubernetes Status JSON (binary: any UTF-8 message survives). */
export const STATUS_METADATA_KEY = 'kubesim-status-bin';

/** What a grpc-js handler passes to its callback / emits as 'error'. */
export interface GrpcErrorStatus { code: number; details: string; metadata: Metadata }

/** Server side: any thrown value → a gRPC status; non-ApiErrors become Internal. */
export function toGrpcStatus(err: unknown): GrpcErrorStatus {
  const apiErr = err instanceof ApiError ? err : new ApiError('Internal', `internal error: ${(err as Error)?.message ?? String(err)}`);
  const metadata = new Metadata();
  metadata.set(STATUS_METADATA_KEY, Buffer.from(JSON.stringify(apiErr.toStatus())));
  return { code: apiErr.grpcCode, details: apiErr.message, metadata };
}

/** Client side: a grpc-js error → ApiError (from the Status JSON when present, else from the gRPC code). */
export function fromGrpcError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as Partial<ServiceError>;
  const raw = e.metadata?.get(STATUS_METADATA_KEY)?.[0];
  if (raw) {
    try { return ApiError.fromStatus(JSON.parse(Buffer.from(raw as Buffer).toString('utf8')) as Partial<StatusObject>); } catch { /* fall back to the code */ }
  }
  if (e.code === GrpcStatus.UNAVAILABLE || e.code === GrpcStatus.DEADLINE_EXCEEDED) return new ApiError(e.code === GrpcStatus.UNAVAILABLE ? 'Unavailable' : 'Timeout', e.details || e.message || 'unavailable');
  return new ApiError(ApiError.codeFromGrpc(e.code ?? GrpcStatus.INTERNAL), e.details || e.message || 'gRPC error');
}

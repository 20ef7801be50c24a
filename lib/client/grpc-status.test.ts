import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, status } from '@grpc/grpc-js';
import { ApiError, type ApiErrorCode, invalid } from '../errors.js';
import { toGrpcStatus, fromGrpcError } from './grpc-status.js';

const CODES: ApiErrorCode[] = ['NotFound', 'AlreadyExists', 'Conflict', 'Invalid', 'BadRequest', 'Forbidden', 'Unauthorized', 'Gone', 'TooLarge', 'Unavailable', 'Internal', 'MethodNotAllowed', 'NotAcceptable', 'UnsupportedMediaType', 'Timeout', 'TooManyRequests'];

test('every ApiError code survives the gRPC edge with its message and details', () => {
  for (const code of CODES) {
    const err = new ApiError(code, `msg ${code} ünïcode`, { name: 'x', kind: 'pods' });
    const st = toGrpcStatus(err);
    assert.equal(st.code, err.grpcCode);
    const back = fromGrpcError({ ...st, message: st.details });
    assert.equal(back.code, code);
    assert.equal(back.message, err.message);
    assert.deepEqual(back.details, err.details);
  }
  const inv = invalid('Pod', 'p', [{ type: 'FieldValueRequired', field: 'spec.containers', message: '' }]);
  assert.deepEqual(fromGrpcError(toGrpcStatus(inv)).toStatus(), JSON.parse(JSON.stringify(inv.toStatus())));
});

test('a non-ApiError becomes Internal; a status without the Status JSON maps from the gRPC code', () => {
  const st = toGrpcStatus(new TypeError('boom'));
  assert.equal(st.code, status.INTERNAL);
  assert.match(fromGrpcError(st).message, /internal error: boom/);
  assert.equal(fromGrpcError({ code: status.NOT_FOUND, details: 'nope', metadata: new Metadata() }).code, 'NotFound');
  assert.equal(fromGrpcError({ code: status.UNAVAILABLE, details: 'No connection established', metadata: new Metadata() }).code, 'Unavailable');
  assert.equal(fromGrpcError({ code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded', metadata: new Metadata() }).code, 'Timeout');
});

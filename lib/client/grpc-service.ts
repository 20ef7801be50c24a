/**
 * The ApiServer gRPC service definition, built from the reflection bundle of proto/apiserver.proto
 * (no hand-written message types). Server and client share it, so both encode the same way:
 * messages cross the wire as protobuf and appear in code as protobufjs plain objects.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { serviceDefinition } from '../grpc-definition.js';
import { protoRoot, encodeBytes, decodeBytes } from '../api/codec.js';

/** A plain (protobufjs toObject) message. */
export type PlainMessage = Record<string, unknown>;

let cached: ServiceDefinition | undefined;

/** `kubesim.apiserver.ApiServer` as a grpc-js service definition keyed by method name (Get, List, Watch, ...). */
export function apiServerService(): ServiceDefinition {
  cached ??= serviceDefinition<PlainMessage>(protoRoot().lookupService('kubesim.apiserver.ApiServer'), {
    encode: (type, m) => encodeBytes(type, m),
    decode: (type, b) => decodeBytes(type, b),
  });
  return cached;
}

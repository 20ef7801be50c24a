/**
 * The ApiServer gRPC service definition, built from the reflection bundle of proto/apiserver.proto
 * (no hand-written message types). Server and client share it, so both encode the same way:
 * messages cross the wire as protobuf and appear in code as protobufjs plain objects.
 */
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { protoRoot, encodeBytes, decodeBytes } from '../api/codec.js';

/** A plain (protobufjs toObject) message. */
export type PlainMessage = Record<string, unknown>;

let cached: ServiceDefinition | undefined;

/** `kubesim.apiserver.ApiServer` as a grpc-js service definition keyed by method name (Get, List, Watch, ...). */
export function apiServerService(): ServiceDefinition {
  if (cached) return cached;
  const service = protoRoot().lookupService('kubesim.apiserver.ApiServer');
  const def: Record<string, MethodDefinition<PlainMessage, PlainMessage>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const req = method.resolvedRequestType as protobuf.Type;
    const res = method.resolvedResponseType as protobuf.Type;
    def[method.name] = {
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestStream: !!method.requestStream,
      responseStream: !!method.responseStream,
      requestSerialize: (m) => encodeBytes(req, m),
      requestDeserialize: (b) => decodeBytes(req, b),
      responseSerialize: (m) => encodeBytes(res, m),
      responseDeserialize: (b) => decodeBytes(res, b),
    };
  }
  cached = def as ServiceDefinition;
  return cached;
}

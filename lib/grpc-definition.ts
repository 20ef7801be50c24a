/**
 * Builds a @grpc/grpc-js service definition from a protobufjs reflection Service, so the wire format
 * comes from the .proto file and nothing is declared twice. The caller chooses how messages turn
 * into plain objects (the apiserver's Kubernetes-JSON codec, or the CRI's proto field names).
 */
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';

/** How one message type is encoded and decoded at the gRPC edge. */
export interface MessageCodec<T> {
  encode(type: protobuf.Type, message: T): Buffer;
  decode(type: protobuf.Type, bytes: Buffer): T;
}

/** The grpc-js definition of `service`, keyed by method name (Get, RunPodSandbox, ...). */
export function serviceDefinition<T>(service: protobuf.Service, codec: MessageCodec<T>): ServiceDefinition {
  const def: Record<string, MethodDefinition<T, T>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const req = method.resolvedRequestType!;
    const res = method.resolvedResponseType!;
    def[method.name] = {
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestStream: !!method.requestStream,
      responseStream: !!method.responseStream,
      requestSerialize: (m) => codec.encode(req, m),
      requestDeserialize: (b) => codec.decode(req, b),
      responseSerialize: (m) => codec.encode(res, m),
      responseDeserialize: (b) => codec.decode(res, b),
      originalName: method.name,
    };
  }
  return def as ServiceDefinition;
}

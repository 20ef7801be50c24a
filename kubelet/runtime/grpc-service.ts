/**
 * The CRI's gRPC definitions from its protobufjs reflection bundle (proto/gen/cri.json), built
 * by lib/grpc-definition.ts. Messages cross the edge as plain objects with the proto's field
 * names (snake_case), int64 as numbers, enums as numbers, defaults filled in.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { serviceDefinition } from '../../lib/grpc-definition.js';

const CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: Number, bytes: Buffer, defaults: true, arrays: true, objects: true };

/** Loads a reflection bundle (the JSON pbjs writes) into a protobufjs Root. */
export function loadRoot(jsonUrl: URL): protobuf.Root {
  return protobuf.Root.fromJSON(JSON.parse(readFileSync(jsonUrl, 'utf8')));
}

/** The grpc-js definition of one service (fully qualified name, e.g. "runtime.v1.RuntimeService"). */
export function criServiceDefinition(root: protobuf.Root, serviceName: string): ServiceDefinition {
  return serviceDefinition<unknown>(root.lookupService(serviceName), {
    encode: (type, v) => Buffer.from(type.encode(type.fromObject(v as object)).finish()),
    decode: (type, b) => type.toObject(type.decode(b), CONVERSION),
  });
}

/** URL of a generated reflection bundle, found relative to this file in both src and dist trees. */
export function protoBundleUrl(name: string): URL {
  return new URL(`../../proto/gen/${name}.json`, import.meta.url);
}

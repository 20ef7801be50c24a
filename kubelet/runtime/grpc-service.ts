/**
 * Builds @grpc/grpc-js service definitions from a protobufjs reflection bundle
 * (proto/gen/<name>.json), so the wire format comes from the .proto file and nothing
 * is declared twice. Messages cross the edge as plain objects with the proto's field
 * names (snake_case), int64 as numbers, enums as numbers, defaults filled in.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';

const CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: Number, bytes: Buffer, defaults: true, arrays: true, objects: true };

/** Loads a reflection bundle (the JSON pbjs writes) into a protobufjs Root. */
export function loadRoot(jsonUrl: URL): protobuf.Root {
  return protobuf.Root.fromJSON(JSON.parse(readFileSync(jsonUrl, 'utf8')));
}

/** The grpc-js definition of one service (fully qualified name, e.g. "runtime.v1.RuntimeService"). */
export function serviceDefinition(root: protobuf.Root, serviceName: string): ServiceDefinition {
  const svc = root.lookupService(serviceName);
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of svc.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    def[m.name] = {
      path: `/${serviceName}/${m.name}`,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      requestSerialize: (v: unknown) => Buffer.from(req.encode(req.fromObject(v as object)).finish()),
      requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), CONVERSION),
      responseSerialize: (v: unknown) => Buffer.from(res.encode(res.fromObject(v as object)).finish()),
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), CONVERSION),
      originalName: m.name,
    };
  }
  return def as ServiceDefinition;
}

/** URL of a generated reflection bundle, found relative to this file in both src and dist trees. */
export function protoBundleUrl(name: string): URL {
  return new URL(`../../proto/gen/${name}.json`, import.meta.url);
}

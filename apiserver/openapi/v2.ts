/**
 * A minimal OpenAPI v2 document in protobuf (gnostic openapi_v2.Document), which kubectl up to
 * ~1.28 downloads before `apply` can validate. It carries no definitions: kubectl skips
 * client-side schema checks for kinds it finds no schema for, and the server validates anyway.
 */
import protobuf from 'protobufjs/minimal.js';

/** Content type of the answer (kube-apiserver's spelling: Go's mime parser rejects the '@' form kubectl puts in Accept). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

// Field numbers of gnostic's openapiv2 proto: Document.swagger = 1, Document.info = 2,
// Info.title = 1, Info.version = 2 (all length-delimited strings/messages: wire type 2).
const LEN = 2;
const tag = (field: number) => (field << 3) | LEN;

/** Encodes `{ swagger: "2.0", info: { title, version } }` as an openapi_v2.Document. */
export function openApiV2Protobuf(title: string, version: string): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(tag(1)).string('2.0');
  w.uint32(tag(2)).fork().uint32(tag(1)).string(title).uint32(tag(2)).string(version).ldelim();
  return w.finish();
}

/** The same document as JSON (for clients that ask for JSON). */
export function openApiV2Json(title: string, version: string): Record<string, unknown> {
  return { swagger: '2.0', info: { title, version }, paths: {}, definitions: {} };
}

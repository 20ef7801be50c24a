/**
 * OpenAPI v3 schemas of the kinds, derived from the proto model (proto/api.proto through the
 * reflection root of lib/api/codec) and annotated with the strategic-merge list strategies of
 * apiserver/patch/strategies.ts — what `kubectl explain` lists and what kubectl's client-side
 * apply uses to merge lists by key. Messages become shared component schemas.
 */
import protobuf from 'protobufjs';
import { messageType } from '../../lib/api/codec.js';
import { schemaForKind, type StructSchema } from '../patch/strategies.js';

type Schema = Record<string, unknown>;

const SCALARS: Record<string, Schema> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  uint32: { type: 'integer', format: 'int32' },
  double: { type: 'number', format: 'double' },
  float: { type: 'number', format: 'double' },
  bytes: { type: 'string', format: 'byte' },
};

// The proto's wrappers for JSON shapes protobuf cannot say (see proto/api.proto).
const WRAPPERS: Record<string, Schema> = {
  IntOrString: { 'x-kubernetes-int-or-string': true },
  Quantity: { type: 'string', description: 'A resource quantity, e.g. "100m", "64Mi".' },
  Time: { type: 'string', format: 'date-time' },
  RawJSON: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

/** Component name of a proto message. */
export function messageSchemaName(t: protobuf.Type): string {
  return `io.k8s.kubesim.${t.name}`;
}

/** Collects component schemas of `kind`'s message and everything it reaches into `out`; returns the kind's schema name. */
export function collectKindSchemas(kind: string, out: Record<string, Schema>): string | undefined {
  let root: protobuf.Type;
  try {
    root = messageType(kind);
  } catch {
    return undefined;
  }
  addMessage(root, schemaForKind(kind), out);
  return messageSchemaName(root);
}

function addMessage(t: protobuf.Type, strategies: StructSchema | undefined, out: Record<string, Schema>): void {
  const name = messageSchemaName(t);
  const existing = out[name] as { properties?: Record<string, Schema> } | undefined;
  if (existing && !strategies) return;
  const properties: Record<string, Schema> = existing?.properties ?? {};
  if (!existing) out[name] = { type: 'object', properties };
  for (const field of t.fieldsArray) {
    const strategy = strategies?.[field.name];
    const resolved = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (resolved && !WRAPPERS[resolved.name]) addMessage(resolved, strategy?.struct, out);
    if (existing && properties[field.name] && !strategy) continue;
    properties[field.name] = fieldSchema(field, resolved, strategy);
  }
}

function valueSchema(field: protobuf.Field, resolved: protobuf.Type | undefined): Schema {
  if (!resolved) return { ...(SCALARS[field.type] ?? { type: 'string' }) };
  return { ...(WRAPPERS[resolved.name] ?? { allOf: [{ $ref: `#/components/schemas/${messageSchemaName(resolved)}` }] }) };
}

function fieldSchema(field: protobuf.Field, resolved: protobuf.Type | undefined, strategy: StructSchema[string] | undefined): Schema {
  if (field.map) return { type: 'object', additionalProperties: valueSchema(field, resolved) };
  if (!field.repeated) return valueSchema(field, resolved);
  const s: Schema = { type: 'array', items: valueSchema(field, resolved) };
  if (strategy?.list === 'merge') {
    s['x-kubernetes-patch-strategy'] = strategy.retainKeys ? 'merge,retainKeys' : 'merge';
    if (strategy.key) s['x-kubernetes-patch-merge-key'] = strategy.key;
  }
  return s;
}

/**
 * Kubernetes-JSON-shaped types of every API object kubesim knows (Pod, Service, Deployment, ...).
 * Generated from proto/api.proto by scripts/gen-proto.mjs into proto/gen/types.ts; nothing here
 * re-declares them. Kinds carry `apiVersion?`, `kind?`, `metadata?: ObjectMeta`, so they are
 * assignable to KObject (lib/api/object.ts).
 */
export type * from '../../proto/gen/types.js';

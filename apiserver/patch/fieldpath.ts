/**
 * Field paths and field sets for server-side apply, in Kubernetes' FieldsV1 vocabulary:
 * `f:<field>`, `k:{<list map keys>}` (an item of an associative list), `v:<json>` (an item of a
 * set), `i:<index>`. A path is a list of such tokens; a set is a Set of encoded paths whose
 * members are leaves, list items and free-form maps (labels), as in managedFields.
 */
import type { FieldSchema, StructSchema } from './strategies.js';
import { badPatch, deepEqual, isMap, type JsonMap } from './util.js';

/** A set of encoded field paths (tokens joined by "\n"; JSON never has a raw newline). */
export type FieldSet = Set<string>;

const SEP = '\n';

/** Joins path tokens into a set member. */
export function joinPath(tokens: string[]): string {
  return tokens.join(SEP);
}

/** Splits a set member into its tokens. */
export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split(SEP);
}

/** Metadata that is the server's, not a manager's: never part of a field set. */
const SERVER_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'generateName']);

/** The key token (`k:{...}`) of an associative list item, or undefined when the list is not keyed. */
export function itemKey(item: unknown, field: FieldSchema): string | undefined {
  const keys = field.keys ?? (field.key ? [field.key] : undefined);
  if (!keys || !isMap(item)) return undefined;
  const k: JsonMap = {};
  for (const name of keys) {
    const v = item[name] ?? field.keyDefaults?.[name];
    if (v !== undefined) k[name] = v;
  }
  return `k:${JSON.stringify(k)}`;
}

function itemToken(item: unknown, field: FieldSchema): string {
  return itemKey(item, field) ?? `v:${JSON.stringify(item)}`;
}

/** True when the list is associative or a set (its items are tracked one by one). */
export function isGranularList(field: FieldSchema | undefined): field is FieldSchema {
  return field?.list === 'merge' && !field.atomic;
}

/**
 * The field set of an object: every leaf, list item and free-form map it sets. `strict` (for
 * applied configurations) rejects list items without their key fields and duplicate keys.
 */
export function fieldSetOf(obj: JsonMap, root: StructSchema, strict = false): FieldSet {
  const out: FieldSet = new Set();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || v === undefined) continue;
    if (k === 'metadata' && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (!SERVER_METADATA.has(mk)) walk(mv, root.metadata?.struct?.[mk], [`f:metadata`, `f:${mk}`], out, strict);
      }
      continue;
    }
    walk(v, root[k], [`f:${k}`], out, strict);
  }
  return out;
}

function checkItem(item: unknown, index: number, field: FieldSchema, path: string[], seen: Set<string>): void {
  const keys = field.keys ?? (field.key ? [field.key] : []);
  const where = pathString(joinPath(path));
  if (keys.length && !isMap(item)) throw badPatch(`${where}: element ${index}: associative list with keys has an element that is not an object`);
  for (const k of keys) {
    if ((item as JsonMap)[k] === undefined && field.keyDefaults?.[k] === undefined) {
      throw badPatch(`${where}: element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
    }
  }
  const token = itemToken(item, field);
  if (seen.has(token)) throw badPatch(`${where}: duplicate entries for key ${pathString(token)}`);
  seen.add(token);
}

function walk(value: unknown, field: FieldSchema | undefined, path: string[], out: FieldSet, strict: boolean): void {
  if (isMap(value) && !field?.atomic && !field?.replace) {
    const entries = Object.entries(value);
    if (!entries.length || field?.map) out.add(joinPath(path));
    for (const [k, v] of entries) walk(v, field?.struct?.[k], [...path, `f:${k}`], out, strict);
    return;
  }
  if (Array.isArray(value) && isGranularList(field)) {
    if (!value.length) out.add(joinPath(path));
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (strict) checkItem(item, i, field, path, seen);
      const itemPath = [...path, itemToken(item, field)];
      out.add(joinPath(itemPath));
      if (isMap(item)) for (const [k, v] of Object.entries(item)) walk(v, field.struct?.[k], [...itemPath, `f:${k}`], out, strict);
    });
    return;
  }
  out.add(joinPath(path));
}

/** Finds the child of `container` named by `token`; `field` is the schema of the container. */
function child(container: unknown, token: string, field: FieldSchema | undefined): unknown {
  if (token.startsWith('f:')) return isMap(container) ? container[token.slice(2)] : undefined;
  if (!Array.isArray(container)) return undefined;
  if (token.startsWith('i:')) return container[Number(token.slice(2))];
  return container.find((item) => field && itemToken(item, field) === token);
}

/** Schema of the value at `token` below a value with schema `field`. */
function childSchema(field: FieldSchema | undefined, token: string): FieldSchema | undefined {
  if (token.startsWith('f:')) return field?.struct?.[token.slice(2)];
  return field?.struct ? { struct: field.struct } : undefined;
}

/** The value at `path` in `obj` (undefined when absent). */
export function valueAt(obj: unknown, path: string, root: StructSchema): unknown {
  let cur = obj;
  let field: FieldSchema | undefined = { struct: root };
  for (const token of splitPath(path)) {
    cur = child(cur, token, field);
    if (cur === undefined) return undefined;
    field = childSchema(field, token);
  }
  return cur;
}

/** Removes the value at `path` from `obj` (in place); a missing path is a no-op. */
export function removeAt(obj: JsonMap, path: string, root: StructSchema): void {
  const tokens = splitPath(path);
  let cur: unknown = obj;
  let field: FieldSchema | undefined = { struct: root };
  for (const token of tokens.slice(0, -1)) {
    cur = child(cur, token, field);
    if (cur === undefined) return;
    field = childSchema(field, token);
  }
  const last = tokens[tokens.length - 1];
  if (last === undefined) return;
  if (last.startsWith('f:') && isMap(cur)) delete cur[last.slice(2)];
  else if (Array.isArray(cur)) {
    const i = last.startsWith('i:') ? Number(last.slice(2)) : cur.findIndex((item) => field && itemToken(item, field) === last);
    if (i >= 0) cur.splice(i, 1);
  }
}

/** Kubernetes' readable form of a path, e.g. `.spec.containers[name="web"].image`. */
export function pathString(path: string): string {
  return splitPath(path).map((t) => {
    if (t.startsWith('f:')) return `.${t.slice(2)}`;
    if (t.startsWith('i:')) return `[${t.slice(2)}]`;
    if (t.startsWith('v:')) return `[=${t.slice(2)}]`;
    const keys = JSON.parse(t.slice(2)) as JsonMap;
    return `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
  }).join('');
}

/** Encodes a field set as a FieldsV1 object (`.` marks a member that also has children). */
export function toFieldsV1(set: FieldSet): JsonMap {
  const root: JsonMap = {};
  const members = new Set<JsonMap>();
  for (const path of set) {
    let node = root;
    for (const token of splitPath(path)) node = (node[token] ??= {}) as JsonMap;
    members.add(node);
  }
  const mark = (node: JsonMap): void => {
    for (const v of Object.values(node)) mark(v as JsonMap);
    if (members.has(node) && Object.keys(node).length) {
      const children = { ...node };
      for (const k of Object.keys(node)) delete node[k];
      Object.assign(node, { '.': {} }, children);
    }
  };
  mark(root);
  return root;
}

/** Decodes a FieldsV1 object into a field set; BadRequest when it is not a FieldsV1 tree. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const out: FieldSet = new Set();
  const visit = (node: unknown, path: string[]): void => {
    if (!isMap(node)) throw badPatch('metadata.managedFields: fieldsV1 must be a tree of objects');
    const keys = Object.keys(node);
    if (path.length && (!keys.length || keys.includes('.'))) out.add(joinPath(path));
    for (const k of keys) {
      if (k === '.') continue;
      if (!/^[fkvi]:/.test(k)) throw badPatch(`metadata.managedFields: invalid fieldsV1 key ${JSON.stringify(k)}`);
      visit(node[k], [...path, k]);
    }
  };
  visit(fields, []);
  return out;
}

/** True when `a` and `b` hold the same value at `path` (compared as JSON). */
export function sameValueAt(a: unknown, b: unknown, path: string, root: StructSchema): boolean {
  return deepEqual(valueAt(a, path, root), valueAt(b, path, root));
}

/** True when `prefix` is `path` or one of its ancestors. */
export function isPrefixPath(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(prefix + SEP);
}

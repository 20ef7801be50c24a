/**
 * RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over plain JSON values, with
 * RFC 6901 pointers (`~0` = `~`, `~1` = `/`, `-` = past the end of an array). Errors follow the
 * apiserver: a malformed patch is 400 BadRequest, an operation that does not apply is 422 with
 * the wording of the json-patch library Kubernetes uses.
 */
import { badPatch, clone, deepEqual, isMap, unprocessable, type JsonMap } from './util.js';

/** One operation of a JSON Patch document. */
export interface JsonPatchOp { op: string; path: string; from?: string; value?: unknown }

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Splits an RFC 6901 pointer into unescaped tokens; throws BadRequest when malformed. */
export function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw badPatch(`json patch: path must be a string, got ${JSON.stringify(pointer)}`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badPatch(`json patch: path "${pointer}" must start with "/"`);
  return pointer.slice(1).split('/').map((t) => {
    if (/~[^01]|~$/.test(t)) throw badPatch(`json patch: invalid escape in path "${pointer}"`);
    return t.replace(/~1/g, '/').replace(/~0/g, '~');
  });
}

/** Checks the shape of a decoded patch document; returns it typed. */
export function decodeJsonPatch(patch: unknown): JsonPatchOp[] {
  if (!Array.isArray(patch)) throw badPatch('json patch: the patch must be a JSON array of operations');
  return patch.map((op, i) => {
    if (!isMap(op)) throw badPatch(`json patch: operation ${i} is not an object`);
    if (typeof op.op !== 'string' || !OPS.has(op.op)) throw badPatch(`Unexpected kind: ${String(op.op)}`);
    parsePointer(op.path);
    if ((op.op === 'move' || op.op === 'copy')) parsePointer(op.from);
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value')) {
      throw badPatch(`json patch: operation ${i} (${op.op} ${String(op.path)}) is missing "value"`);
    }
    return op as unknown as JsonPatchOp;
  });
}

function arrayIndex(token: string, arr: unknown[], allowEnd: boolean, op: string, path: string): number {
  if (allowEnd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": invalid index "${token}"`);
  const i = Number(token);
  const max = allowEnd ? arr.length : arr.length - 1;
  if (i > max) throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": index out of range`);
  return i;
}

/** Resolves the container holding the last token of `tokens`; throws 422 when a step is missing. */
function parentOf(doc: unknown, tokens: string[], op: string, path: string): unknown {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur, false, op, path)];
    else if (isMap(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) break;
  }
  if (!Array.isArray(cur) && !isMap(cur)) throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return cur;
}

function getAt(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path);
  if (!tokens.length) return doc;
  const parent = parentOf(doc, tokens, op, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent, false, op, path)];
  const p = parent as JsonMap;
  if (!Object.hasOwn(p, last)) throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return p[last];
}

/** Applies one op to `doc` (mutated in place); returns the new root (changes when path is ""). */
function applyOp(doc: unknown, o: JsonPatchOp): unknown {
  const tokens = parsePointer(o.path);
  if (o.op === 'test') {
    // As the json-patch library Kubernetes uses: a missing value equals only null.
    let actual: unknown = null;
    try { actual = getAt(doc, o.path, 'test'); } catch { /* missing */ }
    if (!deepEqual(actual ?? null, o.value)) throw unprocessable(`testing value ${o.path} failed: test failed`);
    return doc;
  }
  if (o.op === 'move' || o.op === 'copy') {
    const value = clone(getAt(doc, o.from!, o.op));
    if (o.op === 'move') {
      if (o.path.startsWith(`${o.from}/`)) throw unprocessable(`move operation does not apply: "from" ${o.from} is a prefix of "path" ${o.path}`);
      doc = remove(doc, parsePointer(o.from!), o.from!, 'move');
    }
    return add(doc, tokens, value, o.path, o.op);
  }
  if (o.op === 'remove') return remove(doc, tokens, o.path, 'remove');
  if (o.op === 'replace') {
    if (!tokens.length) return clone(o.value);
    getAt(doc, o.path, 'replace');
    doc = remove(doc, tokens, o.path, 'replace');
    return add(doc, tokens, clone(o.value), o.path, 'replace');
  }
  return add(doc, tokens, clone(o.value), o.path, 'add');
}

function add(doc: unknown, tokens: string[], value: unknown, path: string, op: string): unknown {
  if (!tokens.length) return value;
  const parent = parentOf(doc, tokens, op, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent, true, op, path), 0, value);
  else (parent as JsonMap)[last] = value;
  return doc;
}

function remove(doc: unknown, tokens: string[], path: string, op: string): unknown {
  if (!tokens.length) return null;
  const parent = parentOf(doc, tokens, op, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent, false, op, path), 1);
  else {
    if (!Object.hasOwn(parent as JsonMap, last)) throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    delete (parent as JsonMap)[last];
  }
  return doc;
}

/** Applies a JSON Patch document to a copy of `doc`; `doc` itself is never changed. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch);
  let result = clone(doc);
  for (const o of ops) result = applyOp(result, o);
  return result;
}

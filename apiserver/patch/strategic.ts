/**
 * Strategic merge patch, as the apiserver applies it: a JSON merge patch where lists declared
 * in the strategy table (strategies.ts) merge by key instead of being replaced, plus the
 * directives kubectl sends: `$patch: replace|delete|merge`, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`.
 */
import type { FieldSchema, StructSchema } from './strategies.js';
import { badPatch, clone, deepEqual, isMap, type JsonMap } from './util.js';

const DELETE = Symbol('delete');
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const ELEMENT_ORDER = '$setElementOrder/';

/** Applies a strategic merge patch to a copy of `original` using `schema` (the kind's root). */
export function applyStrategicPatch(original: unknown, patch: unknown, schema: StructSchema | undefined): JsonMap {
  if (!isMap(patch)) throw badPatch('strategic merge patch: the patch must be a JSON object');
  // Copy once here; below, maps are copied shallowly and only changed subtrees are replaced.
  const merged = mergeMap(isMap(original) ? clone(original) : {}, patch, schema);
  if (merged === DELETE) throw badPatch('strategic merge patch: "$patch: delete" is not allowed at the top level');
  return merged;
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: StructSchema | undefined): JsonMap | typeof DELETE {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') {
    const { $patch: _, ...rest } = patch;
    return mergeMap({}, rest, schema) as JsonMap;
  }
  if (directive !== undefined && directive !== 'merge') throw badPatch(`strategic merge patch: unknown patch type "${String(directive)}" in map`);

  const result: JsonMap = { ...original };
  if (patch.$retainKeys !== undefined) retainKeys(result, patch);
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_PRIMITIVE)) continue;
    const field = k.slice(DELETE_PRIMITIVE.length);
    if (!Array.isArray(v)) throw badPatch(`strategic merge patch: ${k} must be a list`);
    if (Array.isArray(result[field])) result[field] = (result[field] as unknown[]).filter((x) => !v.some((d) => deepEqual(d, x)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const field = schema?.[k];
    if (v === null) delete result[k];
    else if (isMap(v)) {
      const m = mergeMap(isMap(result[k]) && !field?.replace ? result[k] : {}, v, field?.struct);
      if (m === DELETE) delete result[k];
      else result[k] = m;
    } else if (Array.isArray(v)) {
      result[k] = mergeList(result[k], v, field, patch[ELEMENT_ORDER + k]);
    } else result[k] = v;
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(ELEMENT_ORDER)) continue;
    const field = k.slice(ELEMENT_ORDER.length);
    if (!Array.isArray(order)) throw badPatch(`strategic merge patch: ${k} must be a list`);
    if (!Object.hasOwn(patch, field) && Array.isArray(result[field])) {
      result[field] = applyOrder(result[field] as unknown[], order, schema?.[field]);
    }
  }
  return result;
}

/** `$retainKeys`: keys of the original not listed are dropped; every patched key must be listed. */
function retainKeys(result: JsonMap, patch: JsonMap): void {
  const keep = patch.$retainKeys;
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) throw badPatch('strategic merge patch: $retainKeys must be a list of strings');
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith('$') && v !== null && !keep.includes(k)) {
      throw badPatch(`strategic merge patch: all non-directive keys in a map with $retainKeys must be listed in it; "${k}" is not`);
    }
  }
  for (const k of Object.keys(result)) if (!keep.includes(k)) delete result[k];
}

function mergeList(original: unknown, patch: unknown[], field: FieldSchema | undefined, order: unknown): unknown[] {
  if (field?.list !== 'merge') return clone(patch);
  // As Kubernetes: any item with `$patch: replace` makes the list the other items (the
  // directive item itself is dropped); `$patch: merge` items are not supported in lists.
  if (patch.some((x) => isMap(x) && x.$patch === 'merge')) throw badPatch('strategic merge patch: merging lists cannot yet be specified in the patch');
  const replaceAll = patch.some((x) => isMap(x) && x.$patch === 'replace');
  const items = patch.filter((x) => !(isMap(x) && x.$patch === 'replace'));
  let result: unknown[] = replaceAll || !Array.isArray(original) ? [] : [...original];
  if (!field.key || items.every((x) => !isMap(x))) {
    for (const x of items) if (!result.some((y) => deepEqual(x, y))) result.push(clone(x));
  } else {
    result = mergeKeyedItems(result, items, field.key, field.struct);
  }
  if (order === undefined) return result;
  if (!Array.isArray(order)) throw badPatch('strategic merge patch: $setElementOrder must be a list');
  return applyOrder(result, order, field);
}

function mergeKeyedItems(result: unknown[], items: unknown[], key: string, struct: StructSchema | undefined): unknown[] {
  for (const item of items) {
    if (!isMap(item)) throw badPatch(`strategic merge patch: list items must be objects with merge key "${key}", got ${JSON.stringify(item)}`);
    if (!Object.hasOwn(item, key)) throw badPatch(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const same = (x: unknown) => isMap(x) && deepEqual(x[key], item[key]);
    if (item.$patch === 'delete') {
      result = result.filter((x) => !same(x));
      continue;
    }
    if (item.$patch !== undefined) throw badPatch(`strategic merge patch: unknown patch type "${String(item.$patch)}" in list item`);
    const i = result.findIndex(same);
    const merged = mergeMap(i >= 0 ? result[i] as JsonMap : {}, item, struct) as JsonMap;
    if (i >= 0) result[i] = merged;
    else result.push(merged);
  }
  return result;
}

/** `$setElementOrder`: listed items first in the given order, unlisted (server-only) items after. */
function applyOrder(list: unknown[], order: unknown[], field: FieldSchema | undefined): unknown[] {
  const key = field?.key;
  const idOf = (x: unknown) => (key && isMap(x) ? x[key] : x);
  const rank = (x: unknown) => order.findIndex((o) => deepEqual(key && isMap(o) ? o[key] : o, idOf(x)));
  const listed = list.filter((x) => rank(x) >= 0).sort((a, b) => rank(a) - rank(b));
  return [...listed, ...list.filter((x) => rank(x) < 0)];
}

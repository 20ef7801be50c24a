/**
 * Keys given twice in one JSON object: JSON.parse keeps the last silently, Kubernetes' strict
 * decoder reports them (`duplicate field "spec.replicas"`) for fieldValidation=Warn|Strict.
 */
/**
 * Paths of keys that appear twice in the same object of a JSON text (the last one wins in
 * JSON.parse, as in Go). `text` must be valid JSON (parse it first); a key's path uses the
 * same notation as unknown fields.
 */
export function duplicateFields(text: string): string[] {
  // One pass over the text with a stack of open objects/arrays; one Set of keys per object.
  const out: string[] = [];
  interface Frame { keys?: Set<string>; path: string; index: number; key?: string }
  const stack: Frame[] = [];
  let i = 0;
  const n = text.length;
  const childPath = (f: Frame): string => (f.keys ? (f.path ? `${f.path}.${f.key}` : f.key!) : `${f.path}[${f.index}]`);
  let expectKey = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // string
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) { escaped = true; j += 2; continue; }
        if (d === 0x22) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = escaped ? JSON.parse(text.slice(i, j + 1)) as string : text.slice(i + 1, j);
        if (top.keys.has(key)) out.push(top.path ? `${top.path}.${key}` : key); else top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) { // { or [
      const parent = stack[stack.length - 1];
      const path = parent ? childPath(parent) : '';
      stack.push(c === 0x7b ? { keys: new Set(), path, index: 0 } : { path, index: 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) { // } or ]
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) { // ,
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true; else if (top) top.index++;
    }
    i++;
  }
  return out;
}

/**
 * etcd key layout, as Kubernetes': `<prefix>/<resource>/<namespace>/<name>` for namespaced
 * objects and `<prefix>/<resource>/<name>` for cluster-scoped ones.
 */

/** Key of one object. */
export function objectKey(prefix: string, resource: string, namespace: string | undefined, name: string): string {
  return namespace ? `${prefix}/${resource}/${namespace}/${name}` : `${prefix}/${resource}/${name}`;
}

/** Key prefix (with trailing slash) covering a resource, or one namespace of it. */
export function collectionKey(prefix: string, resource: string, namespace?: string): string {
  return namespace ? `${prefix}/${resource}/${namespace}/` : `${prefix}/${resource}/`;
}

/** The etcd `range_end` that covers every key starting with `prefix` (prefix with its last byte + 1). */
export function prefixEnd(prefix: string): Buffer {
  const buf = Buffer.from(prefix);
  for (let i = buf.length - 1; i >= 0; i--) {
    if (buf[i] < 0xff) {
      const end = Buffer.from(buf.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}

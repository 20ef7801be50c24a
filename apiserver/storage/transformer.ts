/**
 * The hook through which values pass on their way to and from etcd (encryption at rest). One per
 * process, set by main.ts before the registry starts; the default leaves values as they are.
 */

/** Turns stored bytes into plain JSON bytes and back; `key` is the etcd key. */
export interface ValueTransformer {
  toStorage(key: string, plain: Buffer): Buffer;
  fromStorage(key: string, stored: Buffer): Buffer;
}

const identity: ValueTransformer = { toStorage: (_k, v) => v, fromStorage: (_k, v) => v };
let current: ValueTransformer = identity;

/** Installs the process's transformer (undefined restores identity). */
export function setValueTransformer(t: ValueTransformer | undefined): void { current = t ?? identity; }

/** The installed transformer. */
export function valueTransformer(): ValueTransformer { return current; }

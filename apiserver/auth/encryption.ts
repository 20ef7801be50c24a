/**
 * Encryption at rest (kube-apiserver --encryption-provider-config): an EncryptionConfiguration
 * names, per resource, providers tried in order; the first encrypts new writes, any may decrypt.
 * Values carry Kubernetes' prefix `k8s:enc:<aescbc|aesgcm>:v1:<key name>:` so `etcdctl get` shows
 * ciphertext and a key can be rotated by adding a new first key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { ValueTransformer } from '../storage/transformer.js';

interface KeySpec { name: string; secret: string }
interface ProviderSpec { aescbc?: { keys?: KeySpec[] }; aesgcm?: { keys?: KeySpec[] }; identity?: object }
interface EncryptionConfiguration { kind?: string; resources?: { resources?: string[]; providers?: ProviderSpec[] }[] }

type Mode = 'aescbc' | 'aesgcm' | 'identity';
interface Key { mode: Mode; name: string; secret: Buffer }

function keysOf(p: ProviderSpec): Key[] {
  if (p.identity) return [{ mode: 'identity', name: '', secret: Buffer.alloc(0) }];
  const mode: Mode | undefined = p.aescbc ? 'aescbc' : p.aesgcm ? 'aesgcm' : undefined;
  if (!mode) throw new Error(`unsupported encryption provider ${Object.keys(p).join(',')}: kubesim knows aescbc, aesgcm, identity`);
  return (p[mode as 'aescbc']?.keys ?? []).map((k) => {
    const secret = Buffer.from(k.secret ?? '', 'base64');
    if (![16, 24, 32].includes(secret.length)) throw new Error(`encryption key ${k.name}: secret must be 16, 24 or 32 base64-encoded bytes`);
    if (!k.name) throw new Error('encryption keys need a name');
    return { mode, name: k.name, secret };
  });
}

const prefixOf = (k: Key) => `k8s:enc:${k.mode}:v1:${k.name}:`;

function encryptWith(k: Key, plain: Buffer): Buffer {
  if (k.mode === 'identity') return plain;
  const alg = `aes-${k.secret.length * 8}-${k.mode === 'aescbc' ? 'cbc' : 'gcm'}`;
  const iv = randomBytes(k.mode === 'aescbc' ? 16 : 12);
  const c = createCipheriv(alg, k.secret, iv);
  const body = Buffer.concat([c.update(plain), c.final()]);
  const tag = k.mode === 'aesgcm' ? (c as unknown as { getAuthTag(): Buffer }).getAuthTag() : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(prefixOf(k)), iv, body, tag]);
}

function decryptWith(k: Key, data: Buffer): Buffer {
  const rest = data.subarray(Buffer.byteLength(prefixOf(k)));
  const alg = `aes-${k.secret.length * 8}-${k.mode === 'aescbc' ? 'cbc' : 'gcm'}`;
  if (k.mode === 'aescbc') {
    const d = createDecipheriv(alg, k.secret, rest.subarray(0, 16));
    return Buffer.concat([d.update(rest.subarray(16)), d.final()]);
  }
  const d = createDecipheriv(alg, k.secret, rest.subarray(0, 12)) as unknown as { setAuthTag(t: Buffer): void; update(b: Buffer): Buffer; final(): Buffer };
  d.setAuthTag(rest.subarray(rest.length - 16));
  return Buffer.concat([d.update(rest.subarray(12, rest.length - 16)), d.final()]);
}

/** A transformer for the registry under `prefix` from the text of an EncryptionConfiguration. */
export function encryptionTransformer(configText: string, prefix = '/registry'): ValueTransformer {
  const cfg = parseYaml(configText) as EncryptionConfiguration;
  if (cfg?.kind !== 'EncryptionConfiguration') throw new Error('--encryption-provider-config: kind must be EncryptionConfiguration');
  const byResource = new Map<string, Key[]>();
  for (const r of cfg.resources ?? []) {
    const keys = (r.providers ?? []).flatMap(keysOf);
    for (const res of r.resources ?? []) byResource.set(res.replace(/\.$/, ''), keys);
  }
  const allKeys = [...byResource.values()].flat().filter((k) => k.mode !== 'identity');
  const base = prefix.replace(/\/+$/, '');
  const resourceOf = (key: string) => (key.startsWith(`${base}/`) ? key.slice(base.length + 1).split('/')[0] : '');
  return {
    toStorage(key, plain) {
      const first = byResource.get(resourceOf(key))?.[0];
      return first ? encryptWith(first, plain) : plain;
    },
    fromStorage(_key, stored) {
      if (stored.subarray(0, 8).toString() !== 'k8s:enc:') return stored;
      const k = allKeys.find((x) => stored.subarray(0, Buffer.byteLength(prefixOf(x))).toString() === prefixOf(x));
      if (!k) throw new Error('no encryption key matches a stored value: is the key still in --encryption-provider-config?');
      return decryptWith(k, stored);
    },
  };
}

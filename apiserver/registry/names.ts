/** Object names: generateName suffixes and the default name validation (DNS-1123 subdomain). */
import { randomInt } from 'node:crypto';
import type { KObject } from '../../lib/api/object.js';
import type { FieldError } from '../../lib/errors.js';
import { isDNS1123Subdomain } from '../../lib/labels/validation.js';

// Kubernetes' utilrand alphabet: no vowels (no words) and no look-alike characters.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters, as Kubernetes' SimpleNameGenerator. */
export function generateName(base: string): string {
  // Kubernetes truncates the base so the result stays within 63 characters.
  const trimmed = base.length > 58 ? base.slice(0, 58) : base;
  let s = trimmed;
  for (let i = 0; i < 5; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** Field errors for metadata.name/generateName of a new object (DNS-1123 subdomain rules). */
export function validateObjectName(obj: KObject, validate: (name: string) => string[] = isDNS1123Subdomain): FieldError[] {
  const m = obj.metadata ?? {};
  if (!m.name) {
    if (m.generateName) return [];
    return [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'name or generateName is required' }];
  }
  return validate(m.name).map((message) => ({ type: 'FieldValueInvalid', field: 'metadata.name', value: m.name, message }));
}

#!/usr/bin/env node
// Copies non-TypeScript assets that compiled code loads at run time into dist/:
// .proto files (gRPC loaders), generated proto code, image folders.
import { cpSync, existsSync, mkdirSync } from 'node:fs';

const copies = [
  ['proto', 'dist/proto', (src) => !src.endsWith('.ts') || src.endsWith('.d.ts')],
  ['images', 'dist/images', (src) => !src.endsWith('.ts')],
];
for (const [from, to, filter] of copies) {
  if (!existsSync(from)) continue;
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true, filter: (src) => filter(src) || !src.includes('.') });
}

#!/usr/bin/env node
// Generates TypeScript types and codecs from proto/*.proto with protobufjs tooling:
//   proto/gen/<name>.js    static codecs (ES module)
//   proto/gen/<name>.d.ts  their types (pbts)
//   proto/gen/<name>.json  the reflection bundle (gRPC service definitions are built from it)
// Nothing in the repository re-declares these types by hand.
import { readdirSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cliDir = require.resolve('protobufjs-cli/package.json').replace(/package\.json$/, '');
const pbjs = `${cliDir}bin/pbjs`;
const pbts = `${cliDir}bin/pbts`;

function run(bin, args) {
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) { console.error(`${bin} ${args.join(' ')} failed`); process.exit(1); }
}

mkdirSync('proto/gen', { recursive: true });
const protos = readdirSync('proto').filter((f) => f.endsWith('.proto')).sort();
for (const file of protos) {
  const name = file.replace(/\.proto$/, '');
  const js = `proto/gen/${name}.js`;
  run(pbjs, ['-t', 'static-module', '-w', 'es6', '--keep-case', '--force-number', '-p', 'proto', '-o', js, `proto/${file}`]);
  // pbjs' es6 wrapper imports "protobufjs/minimal" without the .js extension Node's ESM loader needs.
  writeFileSync(js, readFileSync(js, 'utf8').replace(/from "protobufjs\/minimal"/g, 'from "protobufjs/minimal.js"'));
  run(pbts, ['-o', `proto/gen/${name}.d.ts`, js]);
  run(pbjs, ['-t', 'json', '--keep-case', '-p', 'proto', '-o', `proto/gen/${name}.json`, `proto/${file}`]);
}
console.log(`proto: generated ${protos.length} file(s)`);

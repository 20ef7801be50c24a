#!/usr/bin/env node
// Runs every compiled benchmark (dist/bench/*/main.js) in turn; each prints its own table of ratios.
import { readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const only = process.argv.slice(2);
for (const name of readdirSync('dist/bench').sort()) {
  const main = `dist/bench/${name}/main.js`;
  if (!existsSync(main) || (only.length && !only.includes(name))) continue;
  console.log(`\n## bench/${name}\n`);
  spawnSync(process.execPath, [main], { stdio: 'inherit' });
}

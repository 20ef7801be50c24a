#!/usr/bin/env node
// Finds every compiled test file under dist/ and runs them with Node's built-in runner,
// so the runner's own summary is the last thing printed (CI reads it).
// Usage: node scripts/run-tests.mjs [--unit] [path-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = walk('dist', []).filter((f) => !f.startsWith(join('dist', 'node_modules')));
if (unitOnly) files = files.filter((f) => !f.startsWith(join('dist', 'test')) && !f.startsWith(join('dist', 'bench')));
if (filters.length) files = files.filter((f) => filters.some((flt) => f.includes(flt)));
files.sort();
if (files.length === 0) {
  console.error('no test files found under dist/ (did `npm run build` run?)');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);

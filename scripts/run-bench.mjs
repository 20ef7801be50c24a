#!/usr/bin/env node
// Runs every compiled benchmark (dist/bench/<name>/main.js) in turn and writes one report,
// bench/REPORT.md: each benchmark's own markdown output (figures next to the reference measured in
// the same run), headed by the machine it ran on. `npm run bench -- overlay dns` runs a subset.
import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, totalmem, loadavg, release } from 'node:os';

const only = process.argv.slice(2);
const started = new Date();
const parts = [
  '# kubesim benchmark report',
  '',
  `Run ${started.toISOString()} on ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
  '',
];
let failed = 0;
for (const name of readdirSync('dist/bench').sort()) {
  const main = `dist/bench/${name}/main.js`;
  if (!existsSync(main) || (only.length && !only.includes(name))) continue;
  console.log(`\n## bench/${name}\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [main], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  process.stdout.write(r.stdout ?? '');
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  parts.push(`## bench/${name} (${secs} s${r.status === 0 ? '' : `, exit ${r.status}`})`, '', (r.stdout ?? '').trim() || '(no output)', '');
  if (r.status !== 0) failed++;
}
writeFileSync('bench/REPORT.md', `${parts.join('\n')}\n`);
console.log(`\nwrote bench/REPORT.md${failed ? ` (${failed} benchmark(s) failed)` : ''}`);
process.exit(failed ? 1 : 0);

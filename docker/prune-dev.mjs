// Build stage, after the build: deletes the packages package-lock.json marks dev-only (compilers,
// bundlers, test tools) from node_modules, so the runtime image copies only what components load.
// Works with no registry and no npm (the offline base image has only node).
import { existsSync, readFileSync, rmSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let removed = 0;
for (const [path, meta] of Object.entries(lock.packages ?? {})) {
  if (!path.startsWith('node_modules/') || !meta.dev || !existsSync(path)) continue;
  rmSync(path, { recursive: true, force: true });
  removed++;
}
console.log(`build: removed ${removed} dev-only packages from node_modules`);

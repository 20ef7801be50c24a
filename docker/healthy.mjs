// Healthcheck probe with no curl in the image: `healthy http://127.0.0.1:8080/readyz` exits 0 on a
// 2xx answer; `healthy file:/run/flannel/subnet.env` exits 0 when the file exists.
import { existsSync } from 'node:fs';

const target = process.argv[2] ?? '';
if (target.startsWith('file:')) process.exit(existsSync(target.slice(5)) ? 0 : 1);
const timer = setTimeout(() => process.exit(1), 3000);
fetch(target).then((r) => { clearTimeout(timer); process.exit(r.ok ? 0 : 1); }, () => process.exit(1));

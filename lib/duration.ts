/** Go-style durations for flags (`15s`, `1m30s`, `500ms`, `2h`). */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string; throws with the flag-friendly message Go's time.ParseDuration gives. */
export function parseDurationMs(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) { total += Number(m[1]) * UNITS[m[2]]; matched = re.lastIndex; }
  if (s === '' || matched !== s.length) throw new Error(`time: invalid duration ${JSON.stringify(s)}`);
  return total;
}

/** Flag value checks shared by the components' main.ts files (errors name the flag, as Go's flag package does). */

/** A port number from a flag; `min` -1 allows "-1 = off", 0 allows "0 = any free port". */
export function parsePort(flag: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 65535) throw new Error(`${flag}: not a port: ${value}`);
  return n;
}

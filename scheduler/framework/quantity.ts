/**
 * Quantity → number for the scheduler's arithmetic. Accepts Kubernetes quantity strings
 * (`500m`, `1.5`, `128Mi`, `1G`, `2e3`) and plain numbers; bad input throws an ApiError
 * (Invalid) so a malformed pod fails its own scheduling attempt, not the scheduler.
 */
import { ApiError } from '../../lib/errors.js';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?[0-9.]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

/** The value of a quantity, rounded up like Kubernetes' Value()/MilliValue(); `milli` scales by 1000 first. */
export function quantityValue(q: string | number, milli = false): number {
  if (typeof q === 'number') return Math.ceil(milli ? q * 1000 : q);
  const m = QUANTITY.exec(q.trim());
  if (!m || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) throw new ApiError('Invalid', `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(q)}`);
  const base = Number(m[1]);
  const mult = m[3] !== undefined ? 10 ** Number(m[3]) : m[2] ? (BINARY[m[2]] ?? DECIMAL[m[2]]) : 1;
  const v = base * mult * (milli ? 1000 : 1);
  // Round away float noise before ceiling (0.1*1000 must be 100, not 100.00000000000001 → 101).
  return Math.ceil(Number(v.toPrecision(15)));
}

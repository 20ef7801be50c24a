/** Quantity → number for the scheduler's arithmetic, on top of lib/api/quantity (exact Kubernetes parsing). */
import { parseQuantity } from '../../lib/api/quantity.js';

/** Value rounded up (Quantity.Value()), or millis (MilliValue()) when `milli`; malformed input throws ApiError BadRequest. */
export function quantityValue(q: string | number, milli = false): number {
  const parsed = parseQuantity(typeof q === 'number' ? String(q) : q);
  return milli ? parsed.milli : parsed.value;
}

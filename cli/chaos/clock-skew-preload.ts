/**
 * Loaded into a component with `node --import` (NODE_OPTIONS) by `kubesim chaos clock-skew`: the
 * process's wall clock (`Date.now()`, `new Date()`, `Date()`) runs KUBESIM_CLOCK_SKEW_MS ahead
 * (or behind, when negative), as on a machine whose clock is off. Monotonic time
 * (`performance.now()`, `process.hrtime`, timers) is untouched, as it is on a real host with a
 * skewed wall clock: intervals and timeouts keep their length, only timestamps move.
 */
const offset = Number(process.env.KUBESIM_CLOCK_SKEW_MS ?? 0);

if (Number.isFinite(offset) && offset !== 0) {
  const RealDate = Date;
  const now = () => RealDate.now() + offset;
  // A Proxy keeps Date.prototype, instanceof and every static (parse, UTC) as they are.
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length ? args : [now()], newTarget);
    },
    apply() {
      return new RealDate(now()).toString();
    },
    get(target, prop, receiver) {
      return prop === 'now' ? now : Reflect.get(target, prop, receiver);
    },
  });
}

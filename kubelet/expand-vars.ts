/**
 * Kubernetes' $(VAR) expansion for command, args and env values (third_party/forked/golang/expansion):
 * $(NAME) is replaced by the variable's value when defined and left as written otherwise;
 * $$ escapes a dollar, so $$(NAME) yields the literal $(NAME).
 */

/** Expands $(VAR) references in `input` using `lookup`. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) { out += c; continue; }
    const next = input[i + 1];
    if (next === '$') { out += '$'; i++; continue; }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) { out += input.slice(i); break; }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value !== undefined ? value : `$(${name})`;
      i = close;
      continue;
    }
    out += c;
  }
  return out;
}

/** Builds a lookup from a list of env vars (later entries win) for expandVars. */
export function envLookup(env: Array<{ name: string; value: string }>): (name: string) => string | undefined {
  const m = new Map(env.map((e) => [e.name, e.value]));
  return (name) => m.get(name);
}

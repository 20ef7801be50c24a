/** ValidateLabelSelector: matchLabels as labels, matchExpressions with known operators and value rules. */
import type { FieldError } from '../../../lib/errors.js';
import type { LabelSelector } from '../../../lib/api/types.js';
import { isQualifiedName } from '../../../lib/labels/validation.js';
import { forbidden, invalidIf, invalidValue, isObject, required } from './field.js';
import { validateLabels } from './meta.js';

/** ValidateLabelSelector at `path`. */
export function validateLabelSelector(s: LabelSelector | undefined, path: string): FieldError[] {
  if (s == null) return [];
  if (!isObject(s)) return [invalidValue(path, s, 'must be a label selector')];
  const errs: FieldError[] = [...validateLabels(s.matchLabels, `${path}.matchLabels`)];
  (s.matchExpressions ?? []).forEach((e, i) => {
    const ep = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(`${ep}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${ep}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalidValue(`${ep}.operator`, e.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...invalidIf(`${ep}.key`, e.key ?? '', isQualifiedName(e.key ?? '')));
  });
  return errs;
}

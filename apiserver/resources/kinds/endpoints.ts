/** Endpoints and EndpointSlices: light validation of addresses and ports, and their tables. */
import { isIP } from 'node:net';
import type { KObject } from '../../../lib/api/object.js';
import type { Endpoints, EndpointSlice } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { isValidPortNum } from '../../../lib/labels/validation.js';
import { invalidIf, invalidValue, notSupported, required } from '../common/field.js';
import { INVALID_IP } from './services.js';
import { ENDPOINTS_COLUMNS, endpointsRow, ENDPOINT_SLICE_COLUMNS, endpointSliceRow } from '../printers/service.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

function validateEndpoints(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  ((obj as Endpoints).subsets ?? []).forEach((ss, i) => {
    const sp = `subsets[${i}]`;
    for (const kind of ['addresses', 'notReadyAddresses'] as const) {
      (ss[kind] ?? []).forEach((a, j) => { if (!a.ip || !isIP(a.ip)) errs.push(invalidValue(`${sp}.${kind}[${j}].ip`, a.ip ?? '', INVALID_IP)); });
    }
    (ss.ports ?? []).forEach((p, j) => errs.push(...invalidIf(`${sp}.ports[${j}].port`, p.port ?? 0, isValidPortNum(p.port ?? 0))));
  });
  return errs;
}

function validateEndpointSlice(obj: KObject): FieldError[] {
  const s = obj as EndpointSlice;
  if (!s.addressType) return [required('addressType')];
  if (!ADDRESS_TYPES.includes(s.addressType)) return [notSupported('addressType', s.addressType, ADDRESS_TYPES)];
  return [];
}

/** Endpoints behaviour. */
export const endpoints: KindBehaviour = { validateCreate: validateEndpoints, validateUpdate: validateEndpoints, tableColumns: ENDPOINTS_COLUMNS, tableRow: endpointsRow };

/** EndpointSlice behaviour. */
export const endpointSlices: KindBehaviour = { validateCreate: validateEndpointSlice, validateUpdate: validateEndpointSlice, tableColumns: ENDPOINT_SLICE_COLUMNS, tableRow: endpointSliceRow };

/** Create: body checks, admission, metadata, validation, allocations, the etcd write. */
import type { KObject } from '../../lib/api/object.js';
import { ApiError, isApiError } from '../../lib/errors.js';
import { afterWrite, attrsOf, bodyOf, keyOf, settleNamespace, throwIfInvalid, whatOf, type RegistryCore } from './context.js';
import { isCore, leaseTtlFor, prepareKindForCreate } from './kinds.js';
import { updateManagedFields } from '../patch/index.js';
import { apiVersionOf, fillCreateMeta } from './metadata.js';
import { generateName, validateObjectName } from './names.js';
import type { RequestContext, ResourceDef, ResourceRef } from './types.js';

const GENERATE_NAME_ATTEMPTS = 8;

/**
 * Creates one object of `def` from a request body. In a namespace with a ResourceQuota, creates
 * run one at a time (admission check + write), so two racing creates cannot both take the last unit.
 */
export async function createObject(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, body: unknown): Promise<KObject> {
  const obj = bodyOf(def, body);
  const ns = settleNamespace(def, namespace, obj);
  if (ns && await core.hasQuota?.(ns)) return core.quotaLock.run(ns, () => createChecked(core, ctx, ref, def, ns, obj));
  return createChecked(core, ctx, ref, def, ns, obj);
}

async function createChecked(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, ns: string | undefined, obj: KObject): Promise<KObject> {
  const m = obj.metadata!;
  if (m.resourceVersion) throw new ApiError('BadRequest', 'resourceVersion should not be set on objects to be created');
  const generated = !m.name && !!m.generateName;
  if (generated) m.name = generateName(m.generateName!);
  const attrs = attrsOf('CREATE', ctx, ref, def, ns, m.name ?? '', { object: obj });
  await core.admission.mutate(attrs);
  def.prepareForCreate?.(obj, ctx);
  prepareKindForCreate(def, obj);
  fillCreateMeta(obj, def);
  throwIfInvalid(def, m.name ?? '', def.validateCreate ? def.validateCreate(obj) : validateObjectName(obj));
  await core.admission.validate(attrs);
  const release = isCore(def, 'services') && core.services ? await core.services.allocate(obj, !!ctx.dryRun) : undefined;
  let stored = false;
  try {
    // Field ownership of the creating manager (server-side apply reads it later).
    const toStore = ctx.fieldManager ? updateManagedFields(undefined, obj, ctx.fieldManager, 'Update', apiVersionOf(def)) : obj;
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await core.store.create(keyOf(core, def, ns, m.name!), toStore, whatOf(def, m.name!), { dryRun: ctx.dryRun, leaseTtl: leaseTtlFor(def, core.eventTtlSeconds) });
        stored = true;
        await afterWrite(core, { ...attrs, name: m.name!, object: created });
        if (isCore(def, 'namespaces') && !ctx.dryRun) await ensureDefaultServiceAccount(core, ctx, m.name!);
        return created;
      } catch (err) {
        if (!(generated && isApiError(err, 'AlreadyExists'))) throw err;
        if (attempt >= GENERATE_NAME_ATTEMPTS) {
          throw new ApiError('AlreadyExists', `${err.message}, the server was not able to generate a unique name for the object`, err.details);
        }
        m.name = toStore.metadata!.name = generateName(m.generateName!);
      }
    }
  } catch (err) {
    // Give allocations back only when nothing was stored: a stored Service owns them.
    if (!stored) await release?.();
    throw err;
  }
}

/**
 * Creates the `default` ServiceAccount of a namespace when missing (the job of Kubernetes'
 * serviceaccount controller, done here at namespace creation). Never fails the namespace create.
 */
export async function ensureDefaultServiceAccount(core: RegistryCore, ctx: RequestContext, namespace: string): Promise<void> {
  const def = core.lookup('', 'serviceaccounts');
  if (!def) return;
  const ref = { group: '', version: def.version, resource: def.resource };
  try {
    await createObject(core, { user: ctx.user }, ref, def, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) core.log?.('warn', 'default service account not created', { namespace, err: String((err as Error)?.message ?? err) });
  }
}

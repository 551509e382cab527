import type { OrganisationRole } from '@poortwachter/protocol';
import { type InvalidParam, ProblemError } from '@poortwachter/protocol';
import type { RegistryDb } from './changes.ts';

/** Refuses with one 400 that names every offending parameter, or returns when there are none. */
export function refuseIfAny(invalidParams: InvalidParam[], detail: string): void {
  if (invalidParams.length > 0) throw new ProblemError('paramsValidation', detail, { invalidParams });
}

/**
 * Checks that an OIN names an existing, unrevoked organisation with the given role. Returns the
 * problem as an InvalidParam (so that callers can report several at once) or undefined.
 */
export async function checkOrganisationRole(
  db: RegistryDb,
  oin: string,
  role: OrganisationRole,
  name: string,
): Promise<InvalidParam | undefined> {
  const row = await db
    .selectFrom('organisations')
    .select(['roles', 'revoked_at'])
    .where('oin', '=', oin)
    .executeTakeFirst();
  if (!row) return { name, code: 'unknownOrganisation', reason: `Er is geen organisatie met OIN ${oin}.` };
  if (row.revoked_at) return { name, code: 'revokedOrganisation', reason: `Organisatie ${oin} is ingetrokken.` };
  const roles = JSON.parse(row.roles) as string[];
  if (!roles.includes(role)) {
    return { name, code: 'missingRole', reason: `Organisatie ${oin} heeft niet de rol ${role}.` };
  }
  return undefined;
}

/**
 * The BRK part of `pnpm demo`: two gemeenten ask Kadaster's gateway about Suzanne Moulin (999993653),
 * who owns her home, with the sdk's generic call of any service in the directory. Gemeente Utrecht
 * looks up the parcel at her address for the heffing of onroerendezaakbelastingen; Gemeente Haarlem
 * searches by BSN what she owns for a vermogensonderzoek in the bijstand. Each asks only the fields
 * its autorisatie covers, and the answer and the records in Kadaster's log are printed.
 */
import { join } from 'node:path';
import { type Autorisatie, inForce } from '@poortwachter/protocol';
import { createOrganisationClient, type DirectoryTrust, type OrganisationClient } from '@poortwachter/sdk';
import { BRK_SERVICE_ID, DEMO_OIN } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { printAccessRecords } from './access-records.ts';

const BRK = BRK_SERVICE_ID;
/** Suzanne Moulin's home (seeds/brp/personen.json), which the BRK source has her own. */
const SUZANNE_HOME = { postcode: '3077AW', huisnummer: 31 } as const;
const RESOURCE = 'kadastraalOnroerendeZaak';

/** The afnemer's autorisatie for BRK in force now, from the verified directory. */
async function brkAutorisatie(client: OrganisationClient): Promise<Autorisatie> {
  const directory = await client.directory();
  const now = new Date().toISOString();
  const found = directory.autorisaties.find(
    (a) => a.afnemerOin === client.oin && a.serviceId === BRK && inForce(a, now),
  );
  if (!found) {
    console.error(
      `${client.oin} has no autorisatie for ${BRK} in the directory: is the registry seeded with Kadaster?`,
    );
    process.exit(2);
  }
  return found;
}

/**
 * The `fields` of a Haal Centraal request: the paths the autorisatie covers of the resource asked,
 * written from the resource (`adressen.postcode`), as the BRK API's `fields` names them.
 */
function fieldsOf(autorisatie: Autorisatie): { fields?: string } {
  const fields = autorisatie.fields
    .filter((f) => f.startsWith(`${RESOURCE}.`))
    .map((f) => f.slice(RESOURCE.length + 1));
  return fields.length > 0 ? { fields: fields.join(',') } : {};
}

export async function queryBrk(options: {
  readonly data: string;
  readonly registryUrl: string;
  readonly registryKey: JWK;
  readonly readJwk: (file: string) => JWK;
  readonly trust: DirectoryTrust;
}): Promise<void> {
  const clientOf = (oin: string) =>
    createOrganisationClient({
      oin,
      privateKey: options.readJwk(join(options.data, 'keys', `${oin}.jwk.json`)),
      registryUrl: options.registryUrl,
      registryKey: options.registryKey,
      trust: options.trust,
    });
  const brkDatabase = process.env.BRK_GATEWAY_DATABASE_URL || `sqlite:${join(options.data, 'brk-gateway.db')}`;

  const utrecht = clientOf(DEMO_OIN.utrecht);
  const ozb = await brkAutorisatie(utrecht);
  console.log(
    `\nGemeente Utrecht zoekt in de BRK het perceel van het huis van Suzanne Moulin (${SUZANNE_HOME.postcode} ${SUZANNE_HOME.huisnummer}) voor de OZB\n`,
  );
  const byAddress = await utrecht.service(BRK).get('/kadastraalonroerendezaken', {
    query: { ...SUZANNE_HOME, ...fieldsOf(ozb) },
    processingActivity: ozb.processingActivityId,
  });
  console.log(
    `answer (signature of Kadaster verified: ${byAddress.verified}, transaction ${byAddress.transactionId}):`,
  );
  console.log(JSON.stringify(byAddress.body, null, 2));
  await printAccessRecords("Kadaster's gateway", brkDatabase, byAddress.transactionId);

  const haarlem = clientOf(DEMO_OIN.haarlem);
  const bijstand = await brkAutorisatie(haarlem);
  console.log('\nGemeente Haarlem zoekt in de BRK wat Suzanne Moulin (999993653) bezit, voor de bijstand\n');
  const byBsn = await haarlem
    .service(BRK)
    .post(
      '/kadastraalonroerendezaken',
      { burgerservicenummer: '999993653', ...fieldsOf(bijstand) },
      { processingActivity: bijstand.processingActivityId },
    );
  console.log(`answer (signature of Kadaster verified: ${byBsn.verified}, transaction ${byBsn.transactionId}):`);
  console.log(JSON.stringify(byBsn.body, null, 2));
  await printAccessRecords("Kadaster's gateway", brkDatabase, byBsn.transactionId);
}

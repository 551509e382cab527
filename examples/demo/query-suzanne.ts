/**
 * `pnpm demo` (with `pnpm start` running): Gemeente Utrecht queries Suzanne Moulin (999993653)
 * through the gateway with the sdk, for its Wmo verwerkingsactiviteit, and prints the answer and the
 * access-log records the query caused. Then it asks for a field it is not authorised for, to show
 * the refusal. Then the BRK (./query-brk.ts): Utrecht looks up the parcel of her home for the OZB,
 * Haarlem searches what she owns by BSN for the bijstand, each through Kadaster's gateway.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from '@poortwachter/registry';
import { createOrganisationClient, isSdkError, readTrustAnchorsFile, trustedBy } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { printAccessRecords } from './access-records.ts';
import { queryBrk } from './query-brk.ts';

const data = dataDir();
const registryUrl = process.env.REGISTRY_URL || 'http://localhost:8300';
const readJwk = (file: string) => {
  if (!existsSync(file)) {
    console.error(`${file} is missing: start the system first (pnpm start).`);
    process.exit(2);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as JWK;
};

// Decide on what the parties signed, not on the registry's word: the demo's trust anchor.
const trust = trustedBy(readTrustAnchorsFile(process.env.TRUST_ANCHORS_FILE || join(data, 'keys', 'demo-ca.pem')));
const client = createOrganisationClient({
  oin: DEMO_OIN.utrecht,
  privateKey: readJwk(join(data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`)),
  registryUrl,
  registryKey: readJwk(join(data, 'keys', 'registry.public.jwk.json')),
  trust,
});

console.log('Gemeente Utrecht raadpleegt Suzanne Moulin (999993653) voor de Wmo-maatwerkvoorziening\n');
const result = await client.personen.raadpleeg({
  burgerservicenummer: '999993653',
  fields: [
    'naam.voornamen',
    'naam.geslachtsnaam',
    'geboorte.datum',
    'verblijfplaats.verblijfadres.postcode',
    'verblijfplaats.verblijfadres.huisnummer',
  ],
  processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
});
console.log(`answer (signature of RvIG verified: ${result.verified}, transaction ${result.transactionId}):`);
console.log(JSON.stringify(result.personen, null, 2));

console.log('\nthe same, asking also for the partner, which the Wmo autorisatie does not cover:');
try {
  await client.personen.raadpleeg({
    burgerservicenummer: '999993653',
    fields: ['naam.voornamen', 'partners.naam.geslachtsnaam'],
    processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
  });
} catch (error) {
  if (!isSdkError(error)) throw error;
  console.log(`refused: ${error.code} (${error.problem?.status}): ${error.message}`);
}

await printAccessRecords(
  "RvIG's gateway",
  process.env.GATEWAY_DATABASE_URL || `sqlite:${join(data, 'gateway.db')}`,
  result.transactionId,
);

await queryBrk({
  data,
  registryUrl,
  registryKey: readJwk(join(data, 'keys', 'registry.public.jwk.json')),
  readJwk,
  trust,
});

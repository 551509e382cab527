// Run inside a project outside the workspace that installed the packed sdk with plain npm, on plain
// Node: a verified query as Gemeente Utrecht, and Suzanne Moulin's accesses with every record proven;
// a call to a server that never answers ends after its timeout, and an aborted call with its reason.
// Prints one JSON line. Environment: REGISTRY_URL, IDP_URL, DATA_DIR (the running system's keys),
// AFNEMER_OIN, PROCESSING_ACTIVITY.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createCitizenClient, createOrganisationClient, fetchDirectory, isSdkError } from '@poortwachter/sdk';

const env = process.env;
const key = (name) => JSON.parse(readFileSync(join(env.DATA_DIR, 'keys', name), 'utf8'));
const registryKey = key('registry.public.jwk.json');
const bsn = '999993653';

const client = createOrganisationClient({
  oin: env.AFNEMER_OIN,
  privateKey: key(`${env.AFNEMER_OIN}.jwk.json`),
  registryUrl: env.REGISTRY_URL,
  registryKey,
});
const answer = await client.personen.raadpleeg({
  burgerservicenummer: bsn,
  fields: ['naam.voornamen', 'naam.geslachtsnaam'],
  processingActivity: env.PROCESSING_ACTIVITY,
});
let refused = null;
try {
  await client.personen.raadpleeg({
    burgerservicenummer: bsn,
    fields: ['partners'],
    processingActivity: env.PROCESSING_ACTIVITY,
  });
} catch (error) {
  refused = isSdkError(error) ? error.problem?.code : String(error);
}

const login = await fetch(`${env.IDP_URL}/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ bsn }),
});
const { access_token: token } = await login.json();
const citizen = createCitizenClient({ token, registryUrl: env.REGISTRY_URL, registryKey });
// The gateway signs a tree head within a second of a commit; until then a fresh record has no proof yet.
let timeline;
for (let attempt = 0; attempt < 20; attempt++) {
  timeline = await citizen.accessLog({ verify: true });
  if (timeline.records.every((r) => r.inLog?.verified)) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
const silent = createServer(() => {});
await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
const started = performance.now();
let timeout = null;
try {
  await fetchDirectory({ registryUrl: `http://127.0.0.1:${silent.address().port}`, registryKey, timeoutMs: 300 });
} catch (error) {
  timeout = isSdkError(error) ? error.code : String(error);
}
const timeoutAfterMs = Math.round(performance.now() - started);
silent.closeAllConnections();
silent.close();
let aborted = null;
try {
  await citizen.accessLog({ signal: AbortSignal.abort(new Error('de gebruiker ging weg')) });
} catch (error) {
  aborted = error.message;
}

console.log(
  JSON.stringify({
    timeout,
    timeoutAfterMs,
    aborted,
    node: process.version,
    verified: answer.verified,
    voornamen: answer.personen[0]?.naam?.voornamen ?? null,
    refused,
    complete: timeline.complete,
    accesses: timeline.records.filter((r) => r.transactieId === answer.transactionId).length,
    proven: timeline.records.filter((r) => r.inLog?.verified).length,
    records: timeline.records.length,
  }),
);

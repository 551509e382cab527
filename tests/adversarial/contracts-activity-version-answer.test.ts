/**
 * A new version of a verwerkingsactiviteit stops the contracts signed for the one before (see
 * contracts-activity-version.test.ts: the inway refuses `processingActivityChanged`). The organisation
 * that registers the version learns which at once: the registry's answer to the PUT lists them
 * (`contractsNoLongerBinding`). From outside: a registry process seeded with the demo, requests signed
 * with the demo organisations' own keys, contracts proposed and signed over raw HTTP, and the CLI as a
 * process (`registry change --method PUT`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  demoPrivateKey,
  findContractHash,
  grantByContract,
  signAsOrganisation,
  signContractAs,
} from '@poortwachter/registry/testing';
import { BRP_SERVICE_ID, DEMO_OIN, DEMO_ORGANISATIONS, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import { useRegistryEntry } from '../operations/server-entry.ts';
import { runCli } from '../run-process.ts';

const BIJSTAND = DEMO_PROCESSING_ACTIVITY.haarlemBijstand;
const HOUR = 3_600_000;
const nameOf = (oin: string) => DEMO_ORGANISATIONS.find((o) => o.oin === oin)?.name;

interface Version {
  version: number;
  name: string;
  doel: string;
  grondslagIds: string[];
  responsibleOin: string;
  bewaartermijn: string;
  vertrouwelijkheid: string;
}
interface Answer {
  id: string;
  versions: Version[];
  contractsNoLongerBinding: Record<string, unknown>[];
}

describe('registry: the answer to a new version of an activity names the contracts it stops', () => {
  let url: string;
  const { data, keys } = useRegistryEntry('activity-change', (entry) => ({ url } = entry));

  const path = `/v1/processing-activities/${encodeURIComponent(BIJSTAND)}`;
  const latest = async () => {
    const { versions } = (await (await fetch(`${url}${path}`)).json()) as { versions: Version[] };
    const { version, ...input } = versions.at(-1) as Version;
    return { version, input };
  };
  /** Haarlem registers a new version of its bijstand activity, only its doel (re)written. */
  const newVersion = async (doel: string) => {
    const { input } = await latest();
    const { name, grondslagIds, responsibleOin, bewaartermijn, vertrouwelijkheid } = input;
    const request = await signAsOrganisation({
      registryUrl: url,
      method: 'PUT',
      path,
      body: { name, doel, grondslagIds, responsibleOin, bewaartermijn, vertrouwelijkheid },
      privateKey: demoPrivateKey(keys, DEMO_OIN.haarlem),
    });
    return fetch(request.url, request.init);
  };
  const bijstand = (terms: Partial<Parameters<typeof grantByContract>[2]> = {}) =>
    grantByContract(url, keys, {
      afnemerOin: DEMO_OIN.haarlem,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: BIJSTAND,
      fields: ['naam.voornamen'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
      ...terms,
    });
  const byHash = (a: { hash?: unknown }, b: { hash?: unknown }) => String(a.hash).localeCompare(String(b.hash));

  it('lists exactly the contracts in force for the version before (also a delegated one), then none', async () => {
    const { version: signedFor, input } = await latest();
    // The demo's contract, signed by Haarlem and RvIG for the version in force.
    const demo = await findContractHash(url, {
      afnemerOin: DEMO_OIN.haarlem,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: BIJSTAND,
    });
    // Utrecht querying for Haarlem under Haarlem's activity: Haarlem signed it too.
    const delegated = await bijstand({ afnemerOin: DEMO_OIN.utrecht, delegatorOin: DEMO_OIN.haarlem });
    // Not stopped by the change: revoked before it, ended before it, not accepted, of another activity.
    const revoked = await bijstand({ fields: ['naam.geslachtsnaam'] });
    const revoke = await signContractAs(url, keys, DEMO_OIN.haarlem, revoked.hash, 'revoke', 'Niet meer nodig.');
    expect(revoke.status, await revoke.clone().text()).toBe(200);
    const ended = await bijstand({
      fields: ['geboorte.datum'],
      validFrom: new Date(Date.now() - 30 * 24 * HOUR).toISOString(),
      validTo: new Date(Date.now() - HOUR).toISOString(),
    });
    expect(ended.state).toBe('expired');
    const vermogen = await bijstand({ processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemVermogen });
    expect(vermogen.state).toBe('inForce');

    const changed = await newVersion(input.doel.replace('bijstand', 'Bijstand'));
    expect(changed.status, await changed.clone().text()).toBe(200);
    const answer = (await changed.json()) as Answer;
    // The activity as before, with its new version, and beside it the contracts that stopped.
    expect(answer.id).toBe(BIJSTAND);
    expect(answer.versions.at(-1)?.version).toBe(signedFor + 1);
    const rvig = { oin: DEMO_OIN.rvig, name: nameOf(DEMO_OIN.rvig) };
    expect([...answer.contractsNoLongerBinding].sort(byHash)).toEqual(
      [
        {
          hash: demo,
          serviceId: BRP_SERVICE_ID,
          processingActivityVersion: signedFor,
          grondslagId: input.grondslagIds[0],
          bronhouder: rvig,
        },
        {
          hash: delegated.hash,
          serviceId: BRP_SERVICE_ID,
          processingActivityVersion: signedFor,
          grondslagId: input.grondslagIds[0],
          bronhouder: rvig,
          delegate: { oin: DEMO_OIN.utrecht, name: nameOf(DEMO_OIN.utrecht) },
        },
      ].sort(byHash),
    );

    // No contract binds the version just registered: the next one stops none.
    const again = await newVersion(input.doel);
    expect(again.status, await again.clone().text()).toBe(200);
    const second = (await again.json()) as Answer;
    expect(second.versions.at(-1)?.version).toBe(signedFor + 2);
    expect(second.contractsNoLongerBinding).toEqual([]);
  }, 120_000);

  it('the CLI prints a line per contract that stopped, and that a new contract is needed', async () => {
    const { version: signedFor, input } = await latest();
    const fresh = await bijstand({ fields: ['naam.voornamen', 'naam.geslachtsnaam'] });
    expect(fresh.state).toBe('inForce');
    const folder = mkdtempSync(join(data, 'cli-'));
    const body = join(folder, 'activity.json');
    const { name, grondslagIds, responsibleOin, bewaartermijn, vertrouwelijkheid } = input;
    writeFileSync(
      body,
      JSON.stringify({ name, doel: input.doel, grondslagIds, responsibleOin, bewaartermijn, vertrouwelijkheid }),
    );
    const done = await runCli(
      [
        'registry',
        'change',
        '--registry',
        url,
        '--key',
        join(keys, `${DEMO_OIN.haarlem}.jwk.json`),
        '--method',
        'PUT',
        '--path',
        path,
        '--body',
        body,
      ],
      { env: { DATA_DIR: folder } },
    );
    expect(done.code, done.output).toBe(0);
    // stdout stays the registry's JSON; the lines for a person are on stderr.
    const answer = JSON.parse(done.out) as Answer;
    expect(answer.contractsNoLongerBinding.map((c) => c.hash)).toEqual([fresh.hash]);
    expect(done.err).toBe(
      [
        `contract ${fresh.hash} no longer holds: ${BRP_SERVICE_ID} with ${nameOf(DEMO_OIN.rvig)} (${DEMO_OIN.rvig}), signed for version ${signedFor}, not version ${signedFor + 1}`,
        `A new contract is needed for each: propose one with poortwachter contract propose --service SERVICE --activity ${BIJSTAND} --grondslag ID …; the bronhouder accepts it.`,
        '',
      ].join('\n'),
    );
  }, 120_000);
});

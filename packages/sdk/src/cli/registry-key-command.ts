import { existsSync, readFileSync } from 'node:fs';
import type { Organisation, OrganisationKey } from '@poortwachter/protocol';
import { parseDateTime } from '@poortwachter/protocol';
import { parseTrustAnchors, subjectSerialNumber } from '@poortwachter/protocol/contracts';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { registryJson } from '../registry-json.ts';
import { adminToken, CliExit, organisationNamed, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, shown } from './output.ts';

/** The chain in a PEM file as `x5c` (base64 DER, in the file's order), with its first certificate parsed. */
function readChain(file: string) {
  if (!existsSync(file)) throw new CliExit(2, `No certificate chain at ${file}: pass --cert FILE (PEM).`);
  try {
    const chain = parseTrustAnchors(readFileSync(file, 'utf8'));
    return { x5c: chain.map((c) => c.raw.toString('base64')), leaf: chain[0] as (typeof chain)[number] };
  } catch {
    throw new CliExit(2, `${file} holds no PEM certificate: pass the chain, the key's own certificate first.`);
  }
}

/**
 * Where the operator's acts on an organisation's keys go: the registry's URL and the admin token
 * (exit 2 when there is none), and the organisation `--oin` names by the one lookup of the CLI
 * (`organisationNamed`: its OIN, its name or a part of it, its abbreviation) in the registry's list.
 */
async function operatorAct(values: { oin: string; registry?: string | undefined; 'admin-token'?: string | undefined }) {
  const registryUrl = (values.registry ?? process.env.REGISTRY_URL ?? 'http://localhost:8300').replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${adminToken(values['admin-token'])}` };
  const organisations = await registryJson<Organisation[]>(fetch, registryUrl, '/v1/organisations');
  return { registryUrl, headers, organisation: organisationNamed({ organisations }, values.oin) };
}

/**
 * `poortwachter registry key certify --oin ORG --cert FILE [--kid KID]`: the operator's act that anchors
 * an organisation's key (admin token). The key is the one in the chain's first certificate: when the
 * registry lists it, it gets the chain (`PUT /v1/organisations/{oin}/keys/{kid}/certificate`); when it
 * does not (and no `--kid` names another), it is added with it (`POST /v1/organisations/{oin}/keys`). The
 * registry checks the chain against its trust anchors, the OIN and the key, and refuses with the member.
 */
export async function registryKeyCertifyCommand(values: ValuesOf<'registry key certify'>): Promise<number> {
  return runCommand(async () => {
    const { x5c, leaf } = readChain(values.cert);
    const jwk = leaf.publicKey.export({ format: 'jwk' }) as JWK;
    const kid = values.kid ?? (await calculateJwkThumbprint(jwk, 'sha256'));
    const { registryUrl, headers, organisation } = await operatorAct(values);
    const { oin } = organisation;
    const listed = organisation.keys.some((k) => k.kid === kid);
    if (!listed && values.kid !== undefined)
      throw new CliExit(1, `${organisation.name} (${oin}) lists no key ${values.kid}.`);
    const key = listed
      ? await registryJson<OrganisationKey>(
          fetch,
          registryUrl,
          `/v1/organisations/${oin}/keys/${encodeURIComponent(kid)}/certificate`,
          { method: 'PUT', headers, body: { x5c } },
        )
      : await registryJson<OrganisationKey>(fetch, registryUrl, `/v1/organisations/${oin}/keys`, {
          method: 'POST',
          headers,
          body: { jwk, x5c },
        });
    if (values.json) {
      print(jsonText(key));
      return 0;
    }
    const done = listed ? 'now carries its certificate chain' : 'added, with its certificate chain';
    print(shown`OK    key ${key.kid} of ${organisation.name} (${oin}) ${done}\n`);
    print(
      shown`      certificate for serialNumber ${subjectSerialNumber(leaf) ?? '(none)'}, valid until ${new Date(leaf.validTo).toISOString()}; it signs requests and contracts from now on\n`,
    );
    return 0;
  });
}

/**
 * `poortwachter registry key revoke --oin ORG --kid KID [--at TIME]`: the operator's act that revokes one
 * key of an organisation (admin token; `POST /v1/organisations/{oin}/keys/{kid}/revoke`), from `--at`
 * (the moment it leaked; default now). The registry refuses a moment in the future or before the key was
 * valid, an unknown key (404) and a key revoked already (409), naming why.
 */
export async function registryKeyRevokeCommand(values: ValuesOf<'registry key revoke'>): Promise<number> {
  return runCommand(async () => {
    const at = values.at === undefined ? undefined : parseDateTime(values.at);
    if (values.at !== undefined && (!at || at.dateOnly))
      throw new CliExit(2, `--at ${values.at} is not a date and time that exists: write it as 2026-12-07T09:30:00Z.`);
    const { registryUrl, headers, organisation } = await operatorAct(values);
    const { oin } = organisation;
    const revoked = await registryJson<Organisation>(
      fetch,
      registryUrl,
      `/v1/organisations/${oin}/keys/${encodeURIComponent(values.kid)}/revoke`,
      { method: 'POST', headers, body: at ? { revokedAt: new Date(at.ms).toISOString() } : {} },
    );
    const key = revoked.keys.find((k) => k.kid === values.kid);
    print(
      shown`OK    key ${values.kid} of ${organisation.name} (${oin}) revoked from ${key?.revokedAt ?? '(unknown)'}: what it signs from then on counts nothing\n`,
    );
    return 0;
  });
}

import { existsSync, readFileSync } from 'node:fs';
import type { Organisation, OrganisationKey } from '@poortwachter/protocol';
import { OIN_PATTERN } from '@poortwachter/protocol';
import { parseTrustAnchors, subjectSerialNumber } from '@poortwachter/protocol/contracts';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { registryJson } from '../registry-json.ts';
import { adminToken, CliExit, runCommand } from './common.ts';
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
 * `poortwachter registry key certify --oin OIN --cert FILE [--kid KID]`: the operator's act that anchors
 * an organisation's key (admin token). The key is the one in the chain's first certificate: when the
 * registry lists it, it gets the chain (`PUT /v1/organisations/{oin}/keys/{kid}/certificate`); when it
 * does not (and no `--kid` names another), it is added with it (`POST /v1/organisations/{oin}/keys`). The
 * registry checks the chain against its trust anchors, the OIN and the key, and refuses with the member.
 */
export async function registryKeyCertifyCommand(values: ValuesOf<'registry key certify'>): Promise<number> {
  return runCommand(async () => {
    if (!new RegExp(OIN_PATTERN).test(values.oin))
      throw new CliExit(2, `--oin ${values.oin} is not an OIN: give the organisation's 20 digits.`);
    const { x5c, leaf } = readChain(values.cert);
    const jwk = leaf.publicKey.export({ format: 'jwk' }) as JWK;
    const kid = values.kid ?? (await calculateJwkThumbprint(jwk, 'sha256'));
    const registryUrl = (values.registry ?? process.env.REGISTRY_URL ?? 'http://localhost:8300').replace(/\/+$/, '');
    const token = adminToken(values['admin-token']);
    const organisation = await registryJson<Organisation>(fetch, registryUrl, `/v1/organisations/${values.oin}`);
    const listed = organisation.keys.some((k) => k.kid === kid);
    if (!listed && values.kid !== undefined)
      throw new CliExit(1, `${organisation.name} (${values.oin}) lists no key ${values.kid}.`);
    const headers = { authorization: `Bearer ${token}` };
    const key = listed
      ? await registryJson<OrganisationKey>(
          fetch,
          registryUrl,
          `/v1/organisations/${values.oin}/keys/${encodeURIComponent(kid)}/certificate`,
          { method: 'PUT', headers, body: { x5c } },
        )
      : await registryJson<OrganisationKey>(fetch, registryUrl, `/v1/organisations/${values.oin}/keys`, {
          method: 'POST',
          headers,
          body: { jwk, x5c },
        });
    if (values.json) {
      print(jsonText(key));
      return 0;
    }
    const done = listed ? 'now carries its certificate chain' : 'added, with its certificate chain';
    print(shown`OK    key ${key.kid} of ${organisation.name} (${values.oin}) ${done}\n`);
    print(
      shown`      certificate for serialNumber ${subjectSerialNumber(leaf) ?? '(none)'}, valid until ${new Date(leaf.validTo).toISOString()}; it signs requests and contracts from now on\n`,
    );
    return 0;
  });
}

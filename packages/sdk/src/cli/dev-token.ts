import { isBsn } from '@poortwachter/protocol';
import { DEFAULT_TIMEOUT_MS } from '../call-control.ts';
import { CliExit } from './common.ts';

/** Asks the development identity provider (examples/dev-idp, NOT production) for a token for a test BSN. */
export async function devToken(idp: string, bsn: string, assurance: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${idp.replace(/\/+$/, '')}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn, assurance }),
      signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
    });
  } catch {
    throw new CliExit(
      2,
      `The development identity provider at ${idp} cannot be reached: start the system (pnpm start).`,
    );
  }
  const body = (await res.json()) as { access_token?: string; detail?: string };
  if (!res.ok || !body.access_token)
    throw new CliExit(1, `The identity provider refused: ${body.detail ?? res.status}`);
  return body.access_token;
}

/**
 * The citizen's token for a command: `--token` as given, else one from the development identity
 * provider (`--idp`, `$IDP_URL`, else http://localhost:8303) for `--bsn` (checked: 9 digits, elfproef).
 */
export async function citizenToken(values: {
  readonly bsn?: string | undefined;
  readonly token?: string | undefined;
  readonly idp?: string | undefined;
  readonly assurance: string;
}): Promise<string> {
  if (values.bsn && !isBsn(values.bsn)) throw new CliExit(2, `${values.bsn} is geen BSN (9 cijfers, elfproef).`);
  return (
    values.token ??
    (await devToken(values.idp ?? process.env.IDP_URL ?? 'http://localhost:8303', values.bsn ?? '', values.assurance))
  );
}

import { existsSync, readFileSync } from 'node:fs';
import { signRequest } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { registryJson } from '../registry-json.ts';
import { CliExit, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print } from './output.ts';

/** The JSON body from a file (`-`: standard input), parsed once so that a typo is a usage error here. */
function bodyFrom(file: string): unknown {
  if (file !== '-' && !existsSync(file)) throw new CliExit(2, `--body ${file}: no such file.`);
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliExit(2, `--body ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** The organisation's private JWK; a usage error naming the file when it holds none. */
function privateKeyFrom(file: string): JWK {
  if (!existsSync(file)) throw new CliExit(2, `--key ${file}: no such file.`);
  try {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    if (typeof jwk.d === 'string') return jwk;
  } catch {
    // the same message as a JWK without its private part
  }
  throw new CliExit(2, `--key ${file} holds no private JWK (poortwachter keys generate --out makes one).`);
}

/**
 * `poortwachter registry change --path PATH --body FILE --key FILE [--method PUT]`: one change to the
 * organisation's own records, signed with its key exactly as every organisation request to the
 * registry is (`signRequest`); the registry knows the organisation by the key's thumbprint.
 */
export function registryChangeCommand(values: ValuesOf<'registry change'>): Promise<number> {
  return runCommand(async () => {
    if (!values.path.startsWith('/v1/')) throw new CliExit(2, `--path ${values.path} must start with /v1/.`);
    const body = bodyFrom(values.body);
    const privateKey = privateKeyFrom(values.key);
    const base = (values.registry ?? process.env.REGISTRY_URL ?? 'http://localhost:8300').replace(/\/+$/, '');
    // Signed over the bytes registryJson sends: JSON.stringify of the same value.
    const signed = await signRequest({
      url: `${base}${values.path}`,
      method: values.method,
      body: JSON.stringify(body),
      privateKey,
    });
    const answer = await registryJson<unknown>(fetch, base, values.path, {
      method: values.method,
      headers: signed.headers,
      body,
    });
    print(jsonText(answer));
    return 0;
  });
}

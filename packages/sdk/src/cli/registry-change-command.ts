import { existsSync, readFileSync } from 'node:fs';
import { type ProcessingActivityChange, signRequest } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { registryJson } from '../registry-json.ts';
import { CliExit, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { joined, jsonText, print, printError, shown, type TerminalText } from './output.ts';

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
 * After a new version of a verwerkingsactiviteit, a plain line per contract the registry says it
 * stopped (`contractsNoLongerBinding`), and what to do about it; nothing for any other answer.
 */
function contractsNoLongerBinding(answer: unknown): TerminalText | undefined {
  const change = answer as Partial<ProcessingActivityChange> | null;
  const stopped = change?.contractsNoLongerBinding;
  if (!Array.isArray(stopped) || stopped.length === 0) return undefined;
  const now = change?.versions?.at(-1)?.version;
  return joined([
    ...stopped.map((contract) => {
      const { bronhouder, delegate } = contract;
      const via = delegate ? shown`, called on by ${delegate.name} (${delegate.oin})` : shown``;
      return shown`contract ${contract.hash} no longer holds: ${contract.serviceId} with ${bronhouder.name} (${bronhouder.oin})${via}, signed for version ${contract.processingActivityVersion}, not version ${now}`;
    }),
    shown`A new contract is needed for each: propose one with poortwachter contract propose --service SERVICE --activity ${change?.id} --grondslag ID …; the bronhouder accepts it.${
      stopped.some((contract) => contract.delegate)
        ? shown` A delegated one is proposed by the delegate (--delegator), and you accept it too.`
        : shown``
    }`,
    shown``,
  ]);
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
    // On stderr, so that stdout stays the registry's JSON for whoever reads it with a program.
    const stopped = contractsNoLongerBinding(answer);
    if (stopped) printError(stopped);
    return 0;
  });
}

import type { Witness } from '@poortwachter/protocol';
import { registryJson } from '../registry-json.ts';
import { adminToken, CliExit, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, shown } from './output.ts';

/** The registry's answer to every witness route: the witnesses listed and the quorum. */
interface WitnessPolicy {
  readonly witnesses: readonly Witness[];
  readonly quorum: number;
}

/** One call to the registry's witness routes; a refusal is an SdkError with the registry's problem. */
async function ask(
  values: { registry?: string | undefined; 'admin-token'?: string | undefined },
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<{ registryUrl: string; policy: WitnessPolicy }> {
  const registryUrl = (values.registry ?? process.env.REGISTRY_URL ?? 'http://localhost:8300').replace(/\/+$/, '');
  const headers: Record<string, string> =
    method === 'GET' ? {} : { authorization: `Bearer ${adminToken(values['admin-token'])}` };
  const policy = await registryJson<WitnessPolicy>(fetch, registryUrl, path, { method, headers, body });
  return { registryUrl, policy };
}

/** The witnesses and the quorum, as the operator reads them back after a change. */
function printPolicy(registryUrl: string, policy: WitnessPolicy, json: boolean | undefined, done?: string): number {
  if (json) {
    print(jsonText(policy));
    return 0;
  }
  if (done) print(shown`OK    ${done}\n`);
  const count = policy.witnesses.length;
  print(
    count === 0
      ? shown`registry ${registryUrl} lists no witnesses (quorum 0): readers accept heads as not witnessed\n`
      : shown`registry ${registryUrl}: a head needs ${policy.quorum} of these ${count} witnesses' cosignatures\n`,
  );
  for (const w of policy.witnesses) print(shown`  ${w.name}  ${w.url}${w.operator ? `  (${w.operator})` : ''}\n`);
  return 0;
}

/** A whole number of witnesses, or a usage error naming the option. */
function quorumOf(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,3}$/.test(value)) throw new CliExit(2, `${option} is a whole number of witnesses, got ${value}.`);
  return Number(value);
}

/** `poortwachter registry witness list`: the witnesses the registry lists and the quorum. */
export async function registryWitnessListCommand(values: ValuesOf<'registry witness list'>): Promise<number> {
  return runCommand(async () => {
    const { registryUrl, policy } = await ask(values, 'GET', '/v1/witnesses');
    return printPolicy(registryUrl, policy, values.json);
  });
}

/** `poortwachter registry witness add --vkey … --url …`: lists a witness (admin token). */
export async function registryWitnessAddCommand(values: ValuesOf<'registry witness add'>): Promise<number> {
  return runCommand(async () => {
    const quorum = quorumOf(values.quorum, '--quorum');
    const { registryUrl, policy } = await ask(values, 'POST', '/v1/witnesses', {
      vkey: values.vkey,
      url: values.url,
      ...(values.operator === undefined ? {} : { operator: values.operator }),
      ...(quorum === undefined ? {} : { quorum }),
    });
    return printPolicy(registryUrl, policy, values.json, `listed witness ${values.vkey.split('+')[0] ?? ''}`);
  });
}

/** `poortwachter registry witness remove NAME`: takes a witness off the directory (admin token). */
export async function registryWitnessRemoveCommand(values: ValuesOf<'registry witness remove'>): Promise<number> {
  return runCommand(async () => {
    const quorum = quorumOf(values.quorum, '--quorum');
    const { registryUrl, policy } = await ask(
      values,
      'POST',
      `/v1/witnesses/${encodeURIComponent(values.operand)}/remove`,
      quorum === undefined ? {} : { quorum },
    );
    return printPolicy(registryUrl, policy, values.json, `removed witness ${values.operand}`);
  });
}

/** `poortwachter registry witness quorum N`: how many listed witnesses must cosign (admin token). */
export async function registryWitnessQuorumCommand(values: ValuesOf<'registry witness quorum'>): Promise<number> {
  return runCommand(async () => {
    const quorum = quorumOf(values.operand, 'The quorum') as number;
    const { registryUrl, policy } = await ask(values, 'PUT', '/v1/witness-quorum', { quorum });
    return printPolicy(registryUrl, policy, values.json, `the quorum is ${quorum}`);
  });
}

import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.ts';
import { generateSigningKey } from '../keys.ts';
import { parseOptions } from './options.ts';

/** `poortwachter keys generate [--type ed25519|p256] [--out FILE]`: a new organisation key pair. */
export async function keysCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      type: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    },
    'keys generate',
  );
  if (positionals[0] !== 'generate') {
    process.stderr.write('usage: poortwachter keys generate [--type ed25519|p256] [--out private.jwk.json]\n');
    return 2;
  }
  const type = values.type ?? 'ed25519';
  if (type !== 'ed25519' && type !== 'p256') {
    process.stderr.write(`--type must be ed25519 or p256, not ${type}\n`);
    return 2;
  }
  const { privateKey, publicKey } = await generateSigningKey(type);
  if (values.out) {
    if (existsSync(values.out) && !values.force) {
      process.stderr.write(`${values.out} exists; pass --force to overwrite it\n`);
      return 2;
    }
    // Atomically: with --force a crash while writing keeps the old key rather than leaving half a new one.
    writeFileAtomic(values.out, `${JSON.stringify(privateKey, null, 2)}\n`, { mode: 0o600 });
    process.stderr.write(`private key written to ${values.out} (mode 0600): keep it secret\n`);
    process.stderr.write(
      'register this public key with the registry (POST /v1/organisations/{oin}/keys {"jwk": …}):\n',
    );
    process.stdout.write(`${JSON.stringify(publicKey, null, 2)}\n`);
  } else {
    process.stdout.write(`${JSON.stringify({ privateKey, publicKey }, null, 2)}\n`);
    process.stderr.write('the private key is printed above: store it safely, or use --out FILE\n');
  }
  return 0;
}

import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.ts';
import { generateSigningKey } from '../keys.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, printError, shown } from './output.ts';

/** `poortwachter keys generate [--type ed25519|p256] [--out FILE] [--force]`: a new organisation key pair. */
export async function keysGenerateCommand(values: ValuesOf<'keys generate'>): Promise<number> {
  const { privateKey, publicKey } = await generateSigningKey(values.type);
  if (values.out) {
    if (existsSync(values.out) && !values.force) {
      printError(shown`${values.out} exists; pass --force to overwrite it\n`);
      return 2;
    }
    // Atomically: with --force a crash while writing keeps the old key rather than leaving half a new one.
    writeFileAtomic(values.out, `${JSON.stringify(privateKey, null, 2)}\n`, { mode: 0o600 });
    printError(shown`private key written to ${values.out} (mode 0600): keep it secret\n`);
    printError(shown`register this public key with the registry (POST /v1/organisations/{oin}/keys {"jwk": …}):\n`);
    print(jsonText(publicKey));
  } else {
    print(jsonText({ privateKey, publicKey }));
    printError(shown`the private key is printed above: store it safely, or use --out FILE\n`);
  }
  return 0;
}

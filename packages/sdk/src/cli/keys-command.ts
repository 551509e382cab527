import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.ts';
import { generateSigningKey } from '../keys.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, printError, shown } from './output.ts';

/** `poortwachter keys generate [--type ed25519|p256] [--out FILE] [--pem FILE] [--force]`: a new organisation key pair. */
export async function keysGenerateCommand(values: ValuesOf<'keys generate'>): Promise<number> {
  for (const file of [values.out, values.pem]) {
    if (file && existsSync(file) && !values.force) {
      printError(shown`${file} exists; pass --force to overwrite it\n`);
      return 2;
    }
  }
  const { privateKey, publicKey } = await generateSigningKey(values.type);
  if (values.pem) {
    const pem = createPrivateKey({ key: privateKey as JsonWebKey, format: 'jwk' }).export({
      type: 'pkcs8',
      format: 'pem',
    });
    writeFileAtomic(values.pem, pem.toString(), { mode: 0o600 });
    printError(
      shown`the same private key written to ${values.pem} as PKCS #8 PEM (mode 0600), for a certificate request\n`,
    );
  }
  if (values.out) {
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

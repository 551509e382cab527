import type { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { parseTrustAnchors } from '@poortwachter/protocol/contracts';
import { readSettingFile } from './serve.ts';
import { kinds } from './setting-kinds.ts';

/**
 * `TRUST_ANCHORS_FILE`: the certificates an organisation key must chain to before a server counts it
 * (spec B of issue 28), for every server that reads the directory. Production: required (the
 * PKIoverheid roots); the demo (`POORTWACHTER_DEMO=true`): the demo CA that the registry's seed makes.
 */
export const trustAnchorsSetting = kinds.file({
  description:
    "PEM bundle of the trust anchors (in production the PKIoverheid roots): an organisation's key counts only with a certificate chain to one, naming its OIN. Required in production.",
  shownDefault: 'demo: `<DATA_DIR>/keys/demo-ca.pem`',
});

/**
 * The trust anchors a server decides with, read once at start: the file `TRUST_ANCHORS_FILE` names, or
 * in the demo the demo CA beside the demo keys. A missing setting in production, or a file that cannot
 * be read or holds no certificate, is one line naming the setting (`fail`, exit 2).
 *
 * @example
 * const anchors = readTrustAnchors(settings, dataDir(settings), failSetting);
 */
export function readTrustAnchors(
  settings: { readonly TRUST_ANCHORS_FILE?: string | undefined; readonly POORTWACHTER_DEMO: boolean },
  dataDir: string,
  fail: (message: string) => never,
): X509Certificate[] {
  const file =
    settings.TRUST_ANCHORS_FILE ??
    (settings.POORTWACHTER_DEMO
      ? join(dataDir, 'keys', 'demo-ca.pem')
      : fail(
          'set TRUST_ANCHORS_FILE: the PEM bundle of the certificates organisation keys must chain to (the PKIoverheid roots); it is required in production',
        ));
  const pem = readSettingFile('TRUST_ANCHORS_FILE', file, fail).toString('utf8');
  try {
    const anchors = parseTrustAnchors(pem);
    if (anchors.length === 0) return fail(`TRUST_ANCHORS_FILE: ${file} holds no PEM certificate`);
    return anchors;
  } catch (error) {
    return fail(
      `TRUST_ANCHORS_FILE: ${file} is not a PEM bundle of certificates (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

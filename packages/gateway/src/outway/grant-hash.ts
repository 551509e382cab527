import { createHash } from 'node:crypto';
import { type Autorisatie, canonicalJson } from '@poortwachter/protocol';

/**
 * The `Fsc-Grant-Hash` of an autorisatie: `$1$` and the base64url SHA-256 of the canonical JSON of
 * what it grants (afnemer, service, verwerkingsactiviteit, id). Opaque to applications, as in FSC:
 * it names one grant, and the outway lists the hashes of its organisation's grants at `GET /grants`.
 */
export const grantHash = (a: Autorisatie) =>
  `$1$${createHash('sha256')
    .update(
      canonicalJson({
        id: a.id,
        afnemerOin: a.afnemerOin,
        serviceId: a.serviceId,
        processingActivityId: a.processingActivityId,
      }),
    )
    .digest('base64url')}`;

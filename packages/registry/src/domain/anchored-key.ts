import type { X509Certificate } from 'node:crypto';
import type { Organisation, OrganisationKey } from '@poortwachter/protocol';
import { type AnchoredKey, anchoredKeys } from '@poortwachter/protocol/contracts';

/**
 * The key `kid` of `organisation` as anchored outside the registry (an X.509 chain to a trust anchor
 * naming the OIN, or an endorsement by an anchored key of the same organisation: core's
 * `anchoredKeys`), or why it is not. Only such a key may sign for the organisation: a key the registry's
 * operator added counts for nothing.
 */
export async function anchoredKeyOf(
  organisation: Organisation,
  kid: string,
  anchors: readonly X509Certificate[],
): Promise<{ key: AnchoredKey } | { why: string }> {
  const anchored = await anchoredKeys([organisation], anchors);
  const key = anchored.byKid.get(kid);
  if (key && key.oin === organisation.oin) return { key };
  const refused = anchored.refused.find((r) => r.kid === kid);
  return {
    why: refused?.why ?? (anchors.length === 0 ? 'the registry has no trust anchors' : 'it is not anchored'),
  };
}

/**
 * Whether a key an organisation adds would be anchored: it carries an `x5c` to a trust anchor naming
 * the organisation's OIN, or an endorsement by one of the organisation's anchored keys. Returns why not.
 */
export async function whyNotAnchored(
  organisation: Organisation,
  candidate: OrganisationKey,
  anchors: readonly X509Certificate[],
): Promise<string | undefined> {
  if (!candidate.x5c && !candidate.endorsement)
    return 'a new key needs a certificate chain (x5c) or an endorsement by a current key of the organisation';
  const result = await anchoredKeyOf(
    { ...organisation, keys: [...organisation.keys, candidate] },
    candidate.kid,
    anchors,
  );
  return 'why' in result ? `the new key is not anchored: ${result.why}` : undefined;
}

/**
 * Whether the organisation holds a key that is anchored and may sign now: then it administers its keys
 * itself, and the operator adds none (the operator's act is for an organisation left without one).
 */
export async function signsForItself(
  organisation: Organisation,
  anchors: readonly X509Certificate[],
  now: Date,
): Promise<boolean> {
  const anchored = await anchoredKeys([organisation], anchors);
  const at = now.getTime();
  return [...anchored.byKid.values()].some((key) => key.oin === organisation.oin && key.from <= at && at < key.to);
}

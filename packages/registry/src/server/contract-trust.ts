import { failSetting, readTrustAnchors } from '@poortwachter/operations';
import { DEFAULT_GROUP_ID, DEMO_GROUP_ID } from '../domain/contract-terms.ts';
import type { ContractTrust } from '../repositories/contracts.ts';

/** A group id as a contract's `group_id` may be (checkContentShape's rule). */
const GROUP_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/**
 * The registry's FSC group: GROUP_ID, or `poortwachter-demo` in the demo and `poortwachter` otherwise.
 * One that no contract could name stops the start (one line, exit 2).
 */
export function groupIdOf(settings: { readonly GROUP_ID?: string | undefined; readonly POORTWACHTER_DEMO: boolean }) {
  const groupId = settings.GROUP_ID ?? (settings.POORTWACHTER_DEMO ? DEMO_GROUP_ID : DEFAULT_GROUP_ID);
  if (!GROUP_ID.test(groupId))
    failSetting(
      `GROUP_ID must be a group id (a letter or digit, then up to 199 letters, digits, ., _, :, / or -), got ${JSON.stringify(groupId)}`,
    );
  return groupId;
}

/**
 * What the registry decides contract signatures with: the trust anchors of TRUST_ANCHORS_FILE (in the
 * demo the demo CA the seed made, so read after seeding) and its group. A registry in production
 * without the setting anchors no key: it refuses every signature, saying why.
 */
export function registryTrust(
  settings: {
    readonly TRUST_ANCHORS_FILE?: string | undefined;
    readonly GROUP_ID?: string | undefined;
    readonly POORTWACHTER_DEMO: boolean;
  },
  dataDir: string,
): ContractTrust {
  const anchored = settings.TRUST_ANCHORS_FILE !== undefined || settings.POORTWACHTER_DEMO;
  return {
    anchors: anchored ? readTrustAnchors(settings, dataDir, failSetting) : [],
    groupId: groupIdOf(settings),
  };
}

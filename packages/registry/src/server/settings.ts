import { kinds, serverSettings } from '@poortwachter/operations';

/** Where a server keeps its state; shared by every server entry that has some. */
export const dataDirSetting = kinds.file({
  description: 'Where runtime state lives (databases, keys, tokens).',
  shownDefault: '`./data` at the workspace root',
});

/** The registry's settings (README: Configuration). */
export const registrySettings = {
  ...serverSettings(8300),
  DATA_DIR: dataDirSetting,
  DATABASE_URL: kinds.database({
    description: 'The registry database.',
    shownDefault: '`sqlite:<DATA_DIR>/registry.db`',
    secret: true,
  }),
  REGISTRY_KEY_FILE: kinds.file({
    description: 'The registry signing key (private JWK), made on first start.',
    shownDefault: '`<DATA_DIR>/keys/registry.jwk.json`',
  }),
  REGISTRY_NEXT_KEY_FILE: kinds.file({
    description:
      'The next signing key during a rotation: when present it signs beside the current one (README: Key rotation).',
    shownDefault: '`<DATA_DIR>/keys/registry.next.jwk.json`',
  }),
  REGISTRY_PUBLIC_URL: kinds.url({
    description:
      "The registry's public base URL: organisations sign their change requests for it (RFC 9421 @target-uri).",
    shownDefault: 'the URL as each request arrived',
  }),
  TRUST_ANCHORS_FILE: kinds.file({
    description:
      "PEM bundle of the trust anchors (in production the PKIoverheid roots): the registry takes a party's signature on a contract only from a key with a certificate chain to one (or endorsed by such a key). Unset in production: it takes none.",
    shownDefault: 'demo: `<DATA_DIR>/keys/demo-ca.pem` (the demo CA the seed makes)',
  }),
  GROUP_ID: kinds.text({
    description:
      'The FSC group of this registry: every contract names it (`group_id`); a contract for another group is refused. Letters, digits and `.`, `_`, `:`, `/`, `-`.',
    shownDefault: '`poortwachter`; demo: `poortwachter-demo`',
  }),
  DIRECTORY_RESIGN_SECONDS: kinds.positive({
    description:
      'How often an unchanged snapshot is signed again; stated in the snapshot, so gateways refuse a maximum age it cannot meet.',
    default: '60',
  }),
  GATEWAY_PUBLIC_URL: kinds.url({
    description: 'Demo only: the BRP gateway the demo directory points at.',
    default: 'http://localhost:8302',
  }),
  BRK_GATEWAY_PUBLIC_URL: kinds.url({
    description: "Demo only: Kadaster's BRK inway the demo directory points at.",
    default: 'http://localhost:8307',
  }),
  IDP_PUBLIC_URL: kinds.url({
    description: 'Demo only: the development identity provider the demo trusts.',
    default: 'http://localhost:8303',
  }),
  WITNESS_REGISTRY_PUBLIC_URL: kinds.url({
    description:
      'Demo only: the witness beside the registry (`pnpm start`: port 8313). With WITNESS_AP_PUBLIC_URL set too, the demo directory lists both witnesses with quorum 2; unset, it lists none.',
    shownDefault: 'unset: no witnesses listed',
  }),
  WITNESS_AP_PUBLIC_URL: kinds.url({
    description:
      "Demo only: the witness beside the Autoriteit Persoonsgegevens' auditor page (`pnpm start`: port 8314).",
    shownDefault: 'unset: no witnesses listed',
  }),
  PORTAL_ORIGINS: kinds.urls({
    description: "Demo only: the citizens' page origins the demo lets call the gateways.",
    default: 'http://localhost:8305,http://127.0.0.1:8305',
  }),
};

/**
 * The demo's witnesses (issue 30): one beside the registry, one beside the Autoriteit Persoonsgegevens'
 * auditor page; `pnpm start` runs both and the demo registry lists them with quorum 2 (both must
 * cosign). `keyFile`: where the demo seed writes each one's private key, under the data folder's `keys/`.
 */
export const DEMO_WITNESSES = [
  {
    id: 'getuige-registry',
    name: 'poortwachter.example/getuige-registry',
    operator: 'Beheerder van het register (demo)',
    keyFile: 'getuige-registry.jwk.json',
  },
  {
    id: 'getuige-ap',
    name: 'poortwachter.example/getuige-ap',
    operator: 'Autoriteit Persoonsgegevens (demo)',
    keyFile: 'getuige-ap.jwk.json',
  },
] as const;

/** How many of the demo's witnesses must cosign a head: both (a majority of two). */
export const DEMO_WITNESS_QUORUM = 2;

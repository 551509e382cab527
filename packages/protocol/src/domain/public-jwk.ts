export type PublicKeyMaterial =
  | { kty: 'OKP'; crv: 'Ed25519'; x: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string };

/** A public key as registered: Ed25519 (OKP) or P-256 (EC), with `kid` = RFC 7638 thumbprint. */
export type PublicJwk = PublicKeyMaterial & { kid: string };

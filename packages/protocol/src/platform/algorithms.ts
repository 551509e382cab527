/** RFC 9421 algorithm names this project accepts. */
export type SignatureAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';

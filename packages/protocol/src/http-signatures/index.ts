export { contentDigest, verifyContentDigest } from './content-digest.ts';
export { HttpSignatureError, type HttpSignatureFailure } from './errors.ts';
export { algorithmOf, SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './keys.ts';
export {
  replayWindowEnd,
  type SignatureParameters,
  type SignOptions,
  signMessage,
  signMessageWithBase,
  type VerifiedSignature,
  type VerifyOptions,
  verifyMessage,
} from './message-signatures.ts';
export type { MessageView } from './message-view.ts';

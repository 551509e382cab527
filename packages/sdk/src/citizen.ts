/**
 * `@poortwachter/sdk/citizen`: what a citizen's own client needs, and nothing that needs Node. A page
 * built for the browser imports this entry: the answers' signatures, the signed tree heads and the
 * inclusion proofs are then checked in the citizen's browser by the same code as in Node.
 */
export { type CallControl, type CallDefaults, DEFAULT_TIMEOUT_MS } from './call-control.ts';
export {
  type BerichtenAtGateway,
  type BerichtenClient,
  type BerichtenInstelling,
  createBerichtenClient,
} from './citizen-berichten.ts';
export {
  type AccessLogResult,
  type CitizenAccess,
  type CitizenClient,
  type CitizenClientOptions,
  createCitizenClient,
  type InclusionCheck,
  type MissingGateway,
  type TimelineEntry,
} from './citizen-client.ts';
export type { CitizenTerugmelding, TerugmeldingenResult } from './citizen-terugmelding.ts';
export { citizenView, type LoggedAccess } from './citizen-view.ts';
export { type DirectoryTrust, type FetchDirectoryOptions, fetchDirectory } from './directory-client.ts';
export {
  DOWNLOAD_FORMAT,
  type DownloadFile,
  downloadFile,
  type OwnData,
  type OwnDataResult,
  type OwnField,
  ownFieldValues,
  SIGNED_ANSWER_HEADERS,
  type SignedAnswer,
  type SignedAnswerHeader,
  type SigningKey,
  shownValue,
} from './own-data.ts';
export { isSdkError, SdkError } from './sdk-error.ts';
export { UnwitnessedHeadError, type Witnessed, witnessedHead } from './witnessed-head.ts';

/** @poortwachter/sdk: clients for afnemers, citizens and auditors. */
export { type FetchDirectoryOptions, fetchDirectory } from './directory-client.ts';
export { isSdkError, SdkError } from './sdk-error.ts';

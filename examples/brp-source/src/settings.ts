import { serverSettings } from '@poortwachter/operations';

/**
 * The example BRP source's settings (README: Configuration). With `TLS_CLIENT_CA_FILE` and
 * `TLS_REQUIRE_CLIENT_CERT=true` only a gateway with a client certificate from that CA gets an answer.
 */
export const brpSourceSettings = serverSettings(8301);

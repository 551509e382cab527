import { kinds, serverSettings } from '@poortwachter/operations';
import { dataDirSetting } from '@poortwachter/registry';
import { DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';

/** The development identity provider's settings (README: Configuration). Not for production. */
export const devIdpSettings = {
  ...serverSettings(8303),
  DATA_DIR: {
    ...dataDirSetting,
    description: "Where it reads `keys/dev-idp.jwk.json`, made by the registry's demo seed.",
  },
  IDP_PUBLIC_URL: kinds.url({ description: 'The issuer the registry knows.', default: DEV_IDENTITY_PROVIDER.issuer }),
  DEV_IDP_ALLOW_REMOTE: kinds.oneOf(['test'])({
    description: 'Listen beyond this machine (a `HOST` not loopback), for a test on an isolated network only.',
  }),
  IDP_CLIENT_ID: kinds.text({
    description: 'The browser application that may log citizens in.',
    default: 'poortwachter-portal',
  }),
  IDP_REDIRECT_URIS: kinds.urls({
    description: 'Exact redirect URIs of the browser login; their origins may read `/token`.',
  }),
};

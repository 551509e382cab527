import { kinds, serverSettings } from '@poortwachter/operations';
import { dataDirSetting } from '@poortwachter/registry';

/** The citizens' page's settings (README: Configuration). */
export const portalSettings = {
  ...serverSettings(8305),
  DATA_DIR: {
    ...dataDirSetting,
    description: 'Where it reads `keys/registry.public.jwk.json`, the registry key the page pins.',
  },
  REGISTRY_PUBLIC_URL: kinds.url({
    description: 'The registry as browsers reach it.',
    default: 'http://localhost:8300',
  }),
  IDP_PUBLIC_URL: kinds.url({ description: 'The identity provider.', default: 'http://localhost:8303' }),
  IDP_CLIENT_ID: kinds.text({
    description: "The page's client id at the identity provider.",
    default: 'poortwachter-portal',
  }),
  IDP_DEVELOPMENT: kinds.flag({
    description:
      '`true`: the identity provider is the development one, and the page says one logs in as a test person.',
    default: 'false',
  }),
  AUDITOR_PAGE_URL: kinds.url({
    description:
      "Only where this machine runs an auditor's page (`pnpm start`): the footer links there; nothing is passed through.",
  }),
};

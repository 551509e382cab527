import { kinds, type Setting, serverSettings, trustAnchorsSetting } from '@poortwachter/operations';
import { dataDirSetting } from '@poortwachter/registry';
import { DEFAULT_QUOTAS, type QuotaLimit } from '../pipeline/quota.ts';

/** A quota's two settings: `<prefix>_REQUESTS_PER_SECOND` and `<prefix>_BURST`, per process (README: Quotas). */
function quota<const P extends string>(prefix: P, whom: string, limit: QuotaLimit) {
  return {
    [`${prefix}_REQUESTS_PER_SECOND`]: kinds.positive({
      description: `Steady requests per second ${whom} (per process).`,
      default: String(limit.requestsPerSecond),
    }),
    [`${prefix}_BURST`]: kinds.positive({
      description: `Requests ${whom} may send at once above the steady rate (per process).`,
      default: String(limit.burst),
    }),
  } as Record<`${P}_REQUESTS_PER_SECOND` | `${P}_BURST`, Setting<number, true>>;
}

/** What the inway and the outway both read: where they keep state and how they follow the directory. */
const directorySettings = {
  DATA_DIR: dataDirSetting,
  REGISTRY_URL: kinds.url({
    description: 'The registry whose signed directory it follows.',
    default: 'http://localhost:8300',
  }),
  REGISTRY_PUBLIC_KEY_FILE: kinds.file({
    description: 'The pinned registry key (public JWK).',
    shownDefault: '`<DATA_DIR>/keys/registry.public.jwk.json`',
  }),
  DIRECTORY_MAX_AGE_SECONDS: kinds.positive({
    description: 'The oldest directory snapshot it still acts on.',
    default: '900',
  }),
  DIRECTORY_REFRESH_SECONDS: kinds.positive({ description: 'How often it fetches the directory.', default: '10' }),
  TRUST_ANCHORS_FILE: trustAnchorsSetting,
};

/** The gateway's (inway's) settings (README: Configuration). */
export const gatewaySettings = {
  ...serverSettings(8302),
  ...directorySettings,
  DATABASE_URL: kinds.database({
    description: 'The access log database.',
    shownDefault: '`sqlite:<DATA_DIR>/gateway.db`',
    secret: true,
  }),
  SERVICE_ID: kinds.text({ description: 'The one service of its bronhouder it serves.', default: 'brp-personen' }),
  SOURCE_URL: kinds.url({ description: 'The source behind it (http or https).', default: 'http://localhost:8301' }),
  SOURCE_TIMEOUT_MS: kinds.positive({ description: 'Time for the whole exchange with the source.', default: '5000' }),
  SOURCE_MAX_RESPONSE_BYTES: kinds.positive({
    description: 'The largest answer it takes from the source (a larger one is a 502).',
    default: String(16 * 1024 * 1024),
  }),
  SOURCE_CA_FILE: kinds.file({ description: "PEM CA bundle to trust for an https source instead of the system's." }),
  SOURCE_CERT_FILE: kinds.file({ description: 'PEM client certificate for mutual TLS to the source.' }),
  SOURCE_KEY_FILE: kinds.file({ description: 'PEM key of `SOURCE_CERT_FILE`.' }),
  SIGNING_KEY_FILE: kinds.file({
    description: "The provider's private JWK; a demo key is refused unless POORTWACHTER_DEMO=true.",
    shownDefault: '`<DATA_DIR>/keys/<provider OIN>.jwk.json`',
  }),
  LOG_KEY_FILE: kinds.file({
    description: 'The pseudonym key of its log, made on first start; keep it.',
    shownDefault: '`<DATA_DIR>/keys/gateway-log.key`',
  }),
  LOG_PREVIOUS_KEY_FILES: kinds.listMatching(
    /./,
    'files of earlier log keys',
  )({
    description:
      'Log keys of before a rotation: citizens still find records pseudonymised under them (README: Key rotation).',
  }),
  INSTANCE_ID: kinds.text({
    description: 'The id of its Merkle log: give each instance sharing one database its own.',
    shownDefault: 'the host name',
  }),
  WORKERS: kinds.workers({
    description: 'Processes sharing the port, each its own Merkle log `<INSTANCE_ID>-w<n>`; `auto`: one per core.',
    default: '1',
  }),
  RETENTION_INTERVAL_HOURS: kinds.count({
    description: 'How often records past their bewaartermijn are purged; 0 never (another instance does it).',
    default: '24',
  }),
  SMTP_URL: kinds.smtpUrl({
    description:
      "The mail server for citizens' notices of new accesses (README: Notices); unset, this inway sends none.",
    secret: true,
  }),
  NOTICE_FROM: kinds.email({ description: 'The sender of the notices; required with `SMTP_URL`.' }),
  PORTAL_URL: kinds.url({
    description: "The citizens' page that a notice asks them to log in at.",
    default: 'http://localhost:8305',
  }),
  NOTICE_INTERVAL_MINUTES: kinds.count({
    description: 'How often it looks for subscribers with new accesses to tell; 0 never (another instance does it).',
    default: '60',
  }),
  PUBLISHED_HEADS_DIR: kinds.file({
    description:
      'Where the newest signed head of each log is kept, outside the database (keep it out of what you restore).',
    shownDefault: '`<DATA_DIR>/published-heads`',
  }),
  CONFIRM_ROLLBACK_TO: kinds.listMatching(
    /^\d+:[A-Za-z0-9+/]{43}=$/,
    '<size>:<root> as the rollback line names it',
  )({
    description:
      "The operator's confirmation that it may serve from a log rolled back to that head (README: Backup and restore).",
  }),
  ...quota('QUOTA', 'per afnemer unless its autorisatie grants another', DEFAULT_QUOTAS.callers),
  ...quota('QUOTA_CITIZEN', 'per citizen', DEFAULT_QUOTAS.citizens),
  ...quota('QUOTA_ADDRESS', 'per client address (public log reads, failed verifications)', DEFAULT_QUOTAS.addresses),
};

/** The outway's settings (README: Configuration). */
export const outwaySettings = {
  ...serverSettings(8304),
  ...directorySettings,
  DATABASE_URL: kinds.database({
    description: 'The outway database (its log and applications).',
    shownDefault: '`sqlite:<DATA_DIR>/outway.db`',
    secret: true,
  }),
  PUBLIC_URL: kinds.url({
    description: 'Its URL as applications reach it; signed reads of its log are made for it.',
    shownDefault: '`http://localhost:<PORT>`',
  }),
  ORGANISATION_OIN: kinds.oin({ description: 'Required: the afnemer it signs for.' }),
  ORGANISATION_KEY_FILE: kinds.file({
    description: "The afnemer's private JWK; a demo key is refused unless POORTWACHTER_DEMO=true.",
    shownDefault: '`<DATA_DIR>/keys/<OIN>.jwk.json`',
  }),
  LOG_KEY_FILE: kinds.file({
    description: 'Its pseudonym key, made on first start; keep it.',
    shownDefault: '`<DATA_DIR>/keys/outway-log.key`',
  }),
  ADMIN_TOKEN_FILE: kinds.file({
    description: 'The admin API token, made on first start.',
    shownDefault: '`<DATA_DIR>/outway-admin-token`',
  }),
  PROVIDER_TIMEOUT_MS: kinds.positive({ description: 'Time for a call to a provider.', default: '10000' }),
  ...quota('QUOTA', 'per application', DEFAULT_QUOTAS.callers),
  ...quota('QUOTA_ADDRESS', 'per client address (failed authentications)', DEFAULT_QUOTAS.addresses),
  LOG_PREVIOUS_KEY_FILES: kinds.listMatching(
    /./,
    'files of earlier log keys',
  )({
    description:
      'Log keys of before a rotation: citizens still find records pseudonymised under them (README: Key rotation).',
  }),
  INSTANCE_ID: kinds.text({ description: 'The id of its Merkle log.', shownDefault: '`outway-<host name>`' }),
  DEMO_APPLICATION_KEY_FILE: kinds.file({
    description:
      "Demo: when set and no application is registered, registers one bound to the organisation's verwerkingsactiviteiten and writes its API key here.",
  }),
};

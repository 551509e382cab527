import { isEmailAddress } from '@poortwachter/protocol';
import { z } from 'zod';

/** The levels of the operational log (`LOG_LEVEL`): pino's, and `silent` for none. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a setting is documented with: the README's tables are rendered from it. */
export interface SettingDoc {
  /** One sentence: what it is for. */
  readonly description: string;
  /** The raw default, parsed like a given value (so a default is checked too). */
  readonly default?: string;
  /** The default as the README shows it when it is computed (Markdown, code in backticks). */
  readonly shownDefault?: string;
  /** A secret: it may come from the file `<NAME>_FILE` names, and an invalid value is not echoed. */
  readonly secret?: boolean;
}

/**
 * One setting of a server's schema: a zod schema over the raw string, what it accepts in words (the
 * error line and the README say it), and its documentation. `Required` is whether it has a default,
 * so that the typed settings say `T` or `T | undefined`.
 */
export interface Setting<T, HasDefault extends boolean = boolean> extends SettingDoc {
  readonly schema: z.ZodType<T, string>;
  readonly accepts: string;
  /** Type-level only. */
  readonly hasDefault?: HasDefault;
}

type Defaulted<O> = O extends { default: string } ? true : false;

const kind =
  <T>(accepts: string, schema: z.ZodType<T, string>) =>
  <const O extends SettingDoc>(doc: O): Setting<T, Defaulted<O>> => ({ ...doc, accepts, schema });

/** `a`, `a or b`, `a, b or c`: the accepted values as an operator reads them. */
export const alternatives = (values: readonly string[]) =>
  values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

/** A URL with an http or https scheme, without query or fragment, as written. */
const httpUrl = z.string().refine((raw) => {
  if (!URL.canParse(raw)) return false;
  const url = new URL(raw);
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && url.host !== '';
});

/** An SMTP server's URL: smtp or smtps, a host, optionally user:password and a port; nothing else. */
const smtpUrl = z.string().refine((raw) => {
  if (!URL.canParse(raw)) return false;
  const url = new URL(raw);
  return (
    (url.protocol === 'smtp:' || url.protocol === 'smtps:') &&
    url.hostname !== '' &&
    (url.pathname === '' || url.pathname === '/') &&
    !url.search &&
    !url.hash
  );
});

const enumOf = <const T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]]);

/**
 * The kinds of setting, each one parser: every server's schema is made of these, so `TRUE` is
 * never a flag anywhere and a URL is checked the same way in every server.
 *
 * @example
 * const schema = { SEED_URL: kinds.url({ description: 'Where …', default: 'http://localhost:8300' }) };
 */
export const kinds = {
  /** `true` or `false`, exactly. */
  flag: kind(
    'true or false',
    z.enum(['true', 'false']).transform((v) => v === 'true'),
  ),
  /** A TCP port, 0 (any free one) to 65535. */
  port: kind('a whole number from 0 to 65535', wholeNumber(0, 65535)),
  /** A whole number of at least 1. */
  positive: kind('a positive whole number', wholeNumber(1, Number.MAX_SAFE_INTEGER)),
  /** A whole number of at least 0 (0 turns something off). */
  count: kind('a whole number (0 or more)', wholeNumber(0, Number.MAX_SAFE_INTEGER)),
  /** How many processes: a whole number from 1 to 256, or `auto` (one per core). */
  workers: kind(
    'a whole number from 1 to 256, or auto',
    z.union([
      z.literal('auto'),
      z
        .string()
        .regex(/^[1-9]\d{0,2}$/)
        .transform(Number)
        .pipe(z.number().max(256)),
    ]),
  ),
  /** An http(s) URL without query or fragment, trailing slashes dropped. */
  url: kind(
    'an http or https URL without query or fragment',
    httpUrl.transform((raw) => raw.replace(/\/+$/, '')),
  ),
  /** A comma-separated list of http(s) URLs, each exactly as written (spaces around the commas allowed). */
  urls: kind(
    'a comma-separated list of http or https URLs',
    z
      .string()
      .transform((raw) => raw.split(',').map((item) => item.trim()))
      .pipe(z.array(httpUrl).min(1)),
  ),
  /** An SMTP server: `smtp://` (STARTTLS when the server offers it) or `smtps://` (TLS from the start). */
  smtpUrl: kind('smtp://user:password@host:port or smtps://user:password@host:port', smtpUrl),
  /** An e-mail address (protocol's isEmailAddress: one recipient, no display name). */
  email: kind('an e-mail address such as noreply@example.nl', z.string().refine(isEmailAddress)),
  /** Where a database is: `sqlite:<path>` or `postgres://…` (`postgresql://…`). */
  database: kind(
    'sqlite:<path> or postgres://user:password@host/database',
    // `s`: a path may hold any character, a line break too.
    z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/s),
  ),
  /** The OIN of an organisation: 20 digits. */
  oin: kind('an OIN (20 digits)', z.string().regex(/^\d{20}$/)),
  /** Free text: an id, a host name, a path. */
  text: kind('any text', z.string()),
  /** A file's path (read where it is used). */
  file: kind('a file path', z.string()),
  /** One of `values`, exactly as written there. */
  oneOf: <const T extends string>(values: readonly T[]) =>
    kind(values.length === 1 ? (values[0] as string) : `one of ${alternatives(values)}`, enumOf(values)),
  /** A comma-separated list of items that each match `pattern` (`accepts` says what one is, in words). */
  listMatching: (pattern: RegExp, accepts: string) =>
    kind(
      `a comma-separated list of ${accepts}`,
      z
        .string()
        .transform((raw) => raw.split(',').map((item) => item.trim()))
        .pipe(z.array(z.string().regex(pattern)).min(1)),
    ),
  /** A comma-separated list of `values` (spaces around the commas allowed). */
  listOf: <const T extends string>(values: readonly T[]) =>
    kind(
      `a comma-separated list of ${alternatives(values)}`,
      z
        .string()
        .transform((raw) => raw.split(',').map((item) => item.trim()))
        .pipe(z.array(enumOf(values)).min(1)),
    ),
};

/** The settings every server reads: its port, address, log, drain, TLS and the demo switch. */
export function serverSettings(defaultPort: number) {
  return {
    PORT: kinds.port({ description: 'The port it listens on (0: any free one).', default: String(defaultPort) }),
    HOST: kinds.text({
      description: 'The address it binds to; `0.0.0.0` behind a reverse proxy or in a container.',
      default: '127.0.0.1',
    }),
    POORTWACHTER_DEMO: kinds.flag({
      description:
        '`true` runs the demo (seeded organisations, their keys, the development identity provider); unset is production, where a demo key is refused.',
      default: 'false',
    }),
    LOG_LEVEL: kinds.oneOf(LOG_LEVELS)({ description: 'The operational log (JSON lines on stdout).', default: 'info' }),
    DRAIN_TIMEOUT_SECONDS: kinds.positive({
      description: 'On SIGTERM or SIGINT: how long in-flight requests may take before they are cut.',
      default: '20',
    }),
    TLS_CERT_FILE: kinds.file({ description: 'PEM certificate chain: serve HTTPS (with `TLS_KEY_FILE`).' }),
    TLS_KEY_FILE: kinds.file({ description: 'PEM private key of `TLS_CERT_FILE`.' }),
    TLS_CLIENT_CA_FILE: kinds.file({ description: 'PEM CA: ask clients for a certificate it signed.' }),
    TLS_REQUIRE_CLIENT_CERT: kinds.flag({
      description: '`true`: refuse the TLS handshake without such a certificate (mutual TLS).',
      default: 'false',
    }),
  };
}

/**
 * A database setting as it may be shown in a log line: without its query and without the password
 * (`postgres://poortwachter:***@db/poortwachter`), so that a start line never carries a secret.
 */
export function shownDatabaseUrl(url: string): string {
  const bare = url.split('?')[0] as string;
  return bare.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

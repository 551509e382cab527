import { ASSURANCE_LEVELS, TERUGMELDING_OUTCOMES, TERUGMELDING_STATUSES } from '@poortwachter/protocol';
import type { ContractState } from '@poortwachter/protocol/contracts';
import type { CommandSpec, GroupSpec, Values } from './command-spec.ts';

/**
 * Every command of the CLI and every option it accepts, in the order `poortwachter --help` lists them.
 * The parser of each command is made from its entry here, and so is every help text: an option that
 * is not here is refused, and one that is here is in the help.
 */

/** How a citizen's command gets its token: a test BSN at the dev identity provider, or a token given. */
const CITIZEN_LOGIN = {
  bsn: { type: 'string', value: 'BSN', description: 'the test person' },
  token: { type: 'string', value: 'JWT', description: 'a token from a real identity provider, instead of --bsn' },
  idp: {
    type: 'string',
    value: 'URL',
    description: 'the dev identity provider',
    defaultText: '$IDP_URL, else http://localhost:8303',
  },
  assurance: {
    type: 'string',
    choices: ASSURANCE_LEVELS,
    default: 'midden',
    description: 'the DigiD level the dev identity provider puts in the token',
  },
} as const;

const REGISTRY = {
  registry: {
    type: 'string',
    value: 'URL',
    description: "the registry's base URL",
    defaultText: '$REGISTRY_URL, else http://localhost:8300',
  },
  'registry-key': {
    type: 'string',
    value: 'FILE',
    description: "the registry's public key, pinned",
    defaultText: './data/keys/registry.public.jwk.json',
  },
  'trust-anchors': {
    type: 'string',
    value: 'FILE',
    description:
      'PEM bundle of the trust anchors: only keys with a certificate chain to one count (production: the PKIoverheid roots)',
    defaultText: '$TRUST_ANCHORS_FILE, else ./data/keys/demo-ca.pem',
  },
} as const;

const key = (whose: string) =>
  ({
    type: 'string',
    value: 'FILE',
    description: `${whose} private key`,
    defaultText: './data/keys/<OIN>.jwk.json',
  }) as const;

const AUDITOR = {
  as: {
    type: 'string',
    value: 'ORG',
    description: 'the auditor, by OIN or part of its name',
    defaultText: 'the demo organisation with role auditor',
  },
  key: key("the auditor's"),
} as const;

/** The organisation a contract command acts as, and its key (a command that signs needs it). */
const ORGANISATION = {
  oin: {
    type: 'string',
    value: 'OIN',
    required: true,
    description: 'the organisation: its OIN, its name or a part of it, or its abbreviation (rvig)',
  },
  key: key("the organisation's"),
} as const;

const HASH = {
  name: 'HASH',
  description: "the contract's hash, as contract list shows it ($1$1$…)",
} as const;

const REASON = {
  type: 'string',
  value: 'TEXT',
  required: true,
  description: 'why, in words the other party reads (signed with it)',
} as const;

/** The organisation a terugmelding command acts as (bronhouder or afnemer), its key, and which service. */
const MELDER = {
  as: {
    type: 'string',
    value: 'ORG',
    required: true,
    description: 'the organisation, by OIN or part of its name (the bronhouder, or the afnemer that reports)',
  },
  key: key("the organisation's"),
  service: {
    type: 'string',
    value: 'ID',
    description: 'the service whose inway keeps the meldingen',
    defaultText: 'the one service of --as that takes terugmeldingen',
  },
} as const;

const MELDING = {
  name: 'ID',
  description: "the melding's terugMeldingReferentie, as terugmelding list shows it",
} as const;

/** A witness's name, folder and key. */
const WITNESS = {
  name: {
    type: 'string',
    value: 'NAME',
    description: 'the key name of its cosignatures (example.org/witness), as the directory lists it',
    defaultText: '$WITNESS_NAME',
  },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    description: 'its own folder: its key and the checkpoint it cosigned last per log',
    defaultText: '$WITNESS_DATA_DIR, else $DATA_DIR, else ./data',
  },
  key: {
    type: 'string',
    value: 'FILE',
    description: 'its private Ed25519 key (made there when missing)',
    defaultText: '$WITNESS_KEY_FILE, else DIR/witness-key.jwk.json',
  },
} as const;

/** What every change of the witnesses takes: where the registry is, the admin token, the new quorum. */
const WITNESS_CHANGE = {
  quorum: {
    type: 'string',
    value: 'N',
    description: 'the quorum from this change on (a majority of the witnesses then listed)',
    defaultText: 'the current one',
  },
  registry: REGISTRY.registry,
  'admin-token': {
    type: 'string',
    value: 'FILE',
    description: "the registry's admin token",
    defaultText: './data/registry-admin-token',
  },
  json: { type: 'boolean', description: 'print the witnesses and the quorum as JSON' },
} as const;

/** The organisation an operator's act is about, looked up in the registry's list as `--oin` always is. */
const OPERATOR_ORGANISATION = {
  type: 'string',
  value: 'ORG',
  required: true,
  description: 'the organisation: its OIN, its name or a part of it, or its abbreviation',
} as const;

export const GROUPS = {
  keys: { summary: "an organisation's key pairs" },
  contract: {
    summary: 'contracts: ask for access to a service, and answer (both parties sign; the registry publishes)',
  },
  beheer: { summary: "an organisation's management page" },
  audit: { summary: 'what the gateways logged, checked: by the auditor (coverage) and by an afnemer (reconcile)' },
  log: { summary: "the gateways' verifiable logs" },
  registry: { summary: "the registry's verifiable change log, and the witnesses it lists" },
  terugmelding: {
    summary: 'terugmeldingen: doubt about a value, reported to its bronhouder (afnemer) and handled there (bronhouder)',
  },
  witness: { summary: "a witness: cosigns the logs' checkpoints, so no log can show two histories" },
} as const satisfies Record<string, GroupSpec>;

export const COMMANDS = {
  directory: {
    summary: "fetch the registry's signed directory, verify it against the pinned key, summarise it",
    options: {
      ...REGISTRY,
      json: { type: 'boolean', description: 'print the verified payload as JSON' },
    },
  },
  'keys generate': {
    summary: 'make an organisation key pair (Ed25519 or P-256) with kid = RFC 7638 thumbprint',
    options: {
      type: { type: 'string', choices: ['ed25519', 'p256'], default: 'ed25519', description: 'the kind of key' },
      out: {
        type: 'string',
        value: 'FILE',
        description: 'write the private key there (0600) and print the public key',
        defaultText: 'print both',
      },
      force: { type: 'boolean', description: 'overwrite the --out file when it exists' },
      pem: {
        type: 'string',
        value: 'FILE',
        description:
          'also write the private key there as PKCS #8 PEM (0600), for a certificate request (openssl req -new -key FILE)',
      },
    },
  },
  query: {
    summary: 'one signed BRP query as an organisation, printed as a table',
    description:
      'Give --bsn for RaadpleegMetBurgerservicenummer, or --postcode and --huisnummer for ZoekMetPostcodeEnHuisnummer.',
    options: {
      as: {
        type: 'string',
        value: 'ORG',
        required: true,
        description: 'OIN or part of the name of a demo organisation (key from ./data/keys)',
      },
      bsn: { type: 'string', value: 'BSN[,BSN]', description: 'RaadpleegMetBurgerservicenummer: the persons' },
      postcode: { type: 'string', value: 'POSTCODE', description: 'ZoekMetPostcodeEnHuisnummer, with --huisnummer' },
      huisnummer: { type: 'string', value: 'N', description: 'the house number, with --postcode' },
      fields: { type: 'string', value: 'a,b', required: true, description: 'the field paths you need' },
      'processing-activity': {
        type: 'string',
        value: 'URI',
        description: 'the verwerkingsactiviteit to ask under',
        defaultText: 'the first one with an autorisatie in force',
      },
      key: key("the organisation's"),
      ...REGISTRY,
      json: { type: 'boolean', description: 'print the raw result' },
    },
  },
  call: {
    summary: 'one signed call of any operation of any service in the directory, as an organisation',
    description:
      "Prints the answer's JSON (HAL for a Haal Centraal service) once the provider's signature is verified. Example: --service brk-bevragen --path /kadastraalonroerendezaken --query 'postcode=3077AW&huisnummer=31'.",
    options: {
      as: {
        type: 'string',
        value: 'ORG',
        required: true,
        description: 'OIN or part of the name of a demo organisation (key from ./data/keys)',
      },
      service: { type: 'string', value: 'ID', required: true, description: 'the service, as the directory lists it' },
      method: { type: 'string', choices: ['GET', 'POST'], default: 'GET', description: "the operation's method" },
      path: {
        type: 'string',
        value: 'PATH',
        required: true,
        description: "the operation's path, its path parameters filled in (/kadastraalonroerendezaken/76870487970000)",
      },
      query: { type: 'string', value: 'a=1&b=2', description: 'the query parameters, as in a URL' },
      body: { type: 'string', value: 'JSON', description: 'the body of a POST' },
      'processing-activity': {
        type: 'string',
        value: 'URI',
        description: 'the verwerkingsactiviteit to ask under',
        defaultText: 'the first one with an autorisatie for the service in force',
      },
      key: key("the organisation's"),
      ...REGISTRY,
    },
  },
  inzage: {
    summary:
      "(development) log in at the dev identity provider as a test BSN and show who consulted that person's data",
    description: "From every gateway, each answer's signature verified. Give --bsn, or --token.",
    options: {
      ...CITIZEN_LOGIN,
      van: { type: 'string', value: 'DATE', description: 'the start of the period', defaultText: 'everything' },
      tot: { type: 'string', value: 'DATE', description: 'the end of the period', defaultText: 'everything' },
      verify: { type: 'boolean', description: "check every record's inclusion proof against a signed tree head" },
      json: { type: 'boolean', description: 'print the merged timeline as JSON' },
      ...REGISTRY,
    },
  },
  gegevens: {
    summary:
      '(development) log in at the dev identity provider as a test BSN and show what each bronhouder holds about that person',
    description:
      "From every gateway whose service offers it to the citizen, each answer's signature verified; --download writes the signed answers to a file that verify-download checks offline. Exits 1 when a gateway did not answer.",
    options: {
      ...CITIZEN_LOGIN,
      download: {
        type: 'string',
        value: 'FILE',
        description: 'write the download file (poortwachter-gegevens/1, JSON) there',
      },
      json: { type: 'boolean', description: 'print the result (fields and signed answers) as JSON' },
      ...REGISTRY,
    },
  },
  'verify-download': {
    summary: "check a download file of poortwachter gegevens offline: each bronhouder's signature and key",
    description:
      "Per bronhouder: the body against its digest, the signature, and that the key's certificate leads to a trust anchor and names the bronhouder's OIN. Exits 0 when all hold, 1 when one does not.",
    operand: { name: 'FILE', description: 'the download file' },
    options: {
      'trust-anchors': REGISTRY['trust-anchors'],
      json: { type: 'boolean', description: 'print the findings as JSON' },
    },
  },
  'audit coverage': {
    summary: "the auditor's coverage report of every gateway, with a progress bar while it scans",
    description:
      'Exits 1 when an access was not covered at its moment, a gateway did not answer, or (with --verify) a report did not verify.',
    options: {
      from: {
        type: 'string',
        value: 'DATE',
        description: 'the first day of the period',
        defaultText: 'the first of this month',
      },
      to: { type: 'string', value: 'DATE', description: 'the last day of the period', defaultText: 'today' },
      format: {
        type: 'string',
        choices: ['table', 'json', 'csv', 'markdown'],
        default: 'table',
        description: 'how to print it',
      },
      verify: {
        type: 'boolean',
        description: "recompute each gateway's report from the records proven in its signed log, and compare",
      },
      ...AUDITOR,
      ...REGISTRY,
    },
  },
  'audit serve': {
    summary: 'the coverage report as a web page on this machine (http://127.0.0.1:8306)',
    description:
      "The same figures, a chart of accesses per day per afnemer, CSV and JSON downloads; the auditor's key stays in this process, the browser only gets the page.",
    options: {
      port: { type: 'string', value: 'PORT', description: 'the port on 127.0.0.1', defaultText: '$PORT, else 8306' },
      ...AUDITOR,
      ...REGISTRY,
    },
  },
  'audit reconcile': {
    summary:
      "an afnemer's outway log against the provider gateway's log: every exchange on one side only, with its signed evidence",
    description: 'Exits 1 on any difference.',
    options: {
      as: {
        type: 'string',
        value: 'ORG',
        required: true,
        description: 'the afnemer, by OIN or part of its name (key from ./data/keys)',
      },
      key: key("the afnemer's"),
      outway: { type: 'string', value: 'URL', default: 'http://localhost:8304', description: 'its outway' },
      from: { type: 'string', value: 'DATE', description: 'the start of the period', defaultText: 'today' },
      to: { type: 'string', value: 'DATE', description: 'the end of the period', defaultText: 'tomorrow' },
      service: {
        type: 'string',
        value: 'ID',
        description: "the provider's service",
        defaultText: 'every service the afnemer has an autorisatie for',
      },
      ...REGISTRY,
      json: { type: 'boolean', description: 'print the result as JSON' },
    },
  },
  'log verify': {
    summary:
      "the auditor's check of every gateway's verifiable log: witnessed heads, consistency with the heads seen before, every new record against its leaf",
    description:
      "Checks only heads the quorum of the directory's witnesses cosigned (a newer head without it is reported as not yet witnessed) and, after the first run, only the records added since the last verified head (kept in the heads file with the tree's edge there); --full checks every record again. Exits 1 on tampering, a fork, a gateway that does not answer or a log seen before that is no longer served; 2 when the heads file cannot be read or another run holds it.",
    options: {
      heads: {
        type: 'string',
        value: 'FILE',
        description: 'where seen heads are kept',
        defaultText: './data/auditor-heads.json',
      },
      'heads-only': { type: 'boolean', description: 'skip recomputing the records' },
      full: {
        type: 'boolean',
        description: 'recompute every record, not only those added since the last verified head',
      },
      ...AUDITOR,
      ...REGISTRY,
      json: { type: 'boolean', description: 'print the result as JSON' },
    },
  },
  'contract propose': {
    summary: 'propose a contract for a service, signed by your organisation as the afnemer',
    description:
      'The bronhouder (and, with --delegator, the gemeente you work for) sees it pending and accepts or rejects it; it is in force once all have accepted. Prints its hash.',
    options: {
      service: { type: 'string', value: 'ID', required: true, description: 'the service, as the directory lists it' },
      activity: {
        type: 'string',
        value: 'URI',
        required: true,
        description: 'the verwerkingsactiviteit you ask under',
      },
      grondslag: { type: 'string', value: 'ID', required: true, description: 'the grondslag the access rests on' },
      fields: { type: 'string', value: 'a,b', required: true, description: 'the field paths you need' },
      'search-types': {
        type: 'string',
        value: 'T[,T]',
        required: true,
        description: 'the searches you need (RaadpleegMetBurgerservicenummer, …)',
      },
      from: {
        type: 'string',
        value: 'DATE',
        description: 'the first day it holds (from 00:00 Dutch time)',
        defaultText: 'now',
      },
      until: {
        type: 'string',
        value: 'DATE',
        required: true,
        description: 'the last day it holds (through 23:59:59 Dutch time)',
      },
      delegator: {
        type: 'string',
        value: 'ORG',
        description: 'the gemeente you ask for, as --oin names one (a delegated contract: it signs too)',
      },
      group: {
        type: 'string',
        value: 'ID',
        description: "the registry's FSC group (its GROUP_ID: poortwachter unless its operator set another)",
        defaultText: 'the group of the contracts in the directory; needed for the first contract',
      },
      ...ORGANISATION,
      ...REGISTRY,
      json: { type: 'boolean', description: 'print the contract as the registry holds it' },
    },
  },
  'contract list': {
    summary: 'the contracts your organisation is party to, with their state',
    options: {
      state: {
        type: 'string',
        // The protocol's CONTRACT_STATES, spelled out: the help loads no contract code.
        choices: [
          'proposed',
          'inForce',
          'rejected',
          'revoked',
          'expired',
          'notYetValid',
          'invalid',
        ] as const satisfies readonly ContractState[],
        description: 'only those in this state',
      },
      oin: ORGANISATION.oin,
      ...REGISTRY,
      json: { type: 'boolean', description: 'print them as JSON' },
    },
  },
  'contract show': {
    summary: 'one contract: its terms and its history (each signature: who, what, when, why)',
    operand: HASH,
    options: { ...REGISTRY, json: { type: 'boolean', description: 'print it as JSON' } },
  },
  'contract accept': {
    summary: 'accept a proposal your organisation is party to (signed with its key)',
    operand: HASH,
    options: { ...ORGANISATION, ...REGISTRY },
  },
  'contract reject': {
    summary: 'reject a proposal, with a reason (signed with its key)',
    operand: HASH,
    options: { reason: REASON, ...ORGANISATION, ...REGISTRY },
  },
  'contract revoke': {
    summary: 'revoke a contract, with a reason: gateways stop honouring it within one directory refresh',
    operand: HASH,
    options: { reason: REASON, ...ORGANISATION, ...REGISTRY },
  },
  'beheer serve': {
    summary: "the organisation's management page on this machine (http://127.0.0.1:8309): contracts in and out",
    description:
      'Proposals to accept or reject, contracts to revoke, each with its history, and a form to propose one. With --outway, also the applications of your outway: register, list, revoke. This process signs with the key file; the browser never gets the key.',
    options: {
      port: { type: 'string', value: 'PORT', description: 'the port on 127.0.0.1', defaultText: '$PORT, else 8309' },
      outway: {
        type: 'string',
        value: 'URL',
        description: "your outway's public URL: manage its applications on the page (signed with your key)",
        defaultText: '$OUTWAY_ADMIN_URL, else none',
      },
      ...ORGANISATION,
      ...REGISTRY,
    },
  },
  'registry verify': {
    summary:
      "checks the registry's history: its signed change log head cosigned by the directory's witnesses, consistency with the head seen last time, every change against its leaf, the directory's contract signatures against that log",
    description:
      'Exits 1 when the history was rewritten (a change edited, deleted or a fork), the directory differs from the change log (a contract signature left out, one never logged, one logged after its key was revoked) or no head has the quorum of witnesses, 2 when the heads file cannot be read.',
    options: {
      heads: {
        type: 'string',
        value: 'FILE',
        description: 'where the last verified head is kept',
        defaultText: './data/registry-heads.json',
      },
      ...REGISTRY,
      json: { type: 'boolean', description: 'print the result as JSON' },
    },
  },
  'registry change': {
    summary:
      "change your organisation's own records in the registry (a verwerkingsactiviteit, its name, a key, a service it provides), signed with its key",
    description:
      "Sends the request as an organisation signs every change to its records: RFC 9421 over the method, the URL, the body's Content-Digest and a transaction id, with the key's thumbprint as keyid. Prints the registry's answer (JSON); after a new version of a verwerkingsactiviteit (--method PUT) also, on stderr, one line per contract that no longer holds because of it (signed for the version before: a new contract is needed). Exits 0 when the registry took it, 1 when it refused (its problem printed, naming the member), 2 on a usage error. Example: --path /v1/processing-activities --body activity.json",
    options: {
      method: { type: 'string', choices: ['POST', 'PUT'], default: 'POST', description: 'the method' },
      path: {
        type: 'string',
        value: 'PATH',
        required: true,
        description: "the registry's path (/v1/processing-activities, /v1/organisations/OIN/keys, …)",
      },
      body: {
        type: 'string',
        value: 'FILE',
        required: true,
        description: 'the JSON body (the schemas: GET /v1/schemas); - reads it from standard input',
      },
      key: { type: 'string', value: 'FILE', required: true, description: "the organisation's private key" },
      registry: REGISTRY.registry,
    },
  },
  'registry witness list': {
    summary: 'the witnesses the registry lists and the quorum of their cosignatures a head needs',
    options: {
      registry: REGISTRY.registry,
      json: { type: 'boolean', description: 'print them as JSON' },
    },
  },
  'registry witness add': {
    summary: "list a witness in the directory (the registry's operator, admin token)",
    description:
      "Its vkey is what `poortwachter witness vkey` prints on the witness's machine. The quorum must stay a majority of the witnesses (more than half): name the new one with --quorum when the count makes the current one none.",
    options: {
      vkey: {
        type: 'string',
        value: 'VKEY',
        required: true,
        description: "the witness's verifier key (name+key id+base64, cosignature/v1)",
      },
      url: { type: 'string', value: 'URL', required: true, description: 'where it takes checkpoints (its prefix)' },
      operator: { type: 'string', value: 'TEXT', description: 'who runs it, for readers' },
      ...WITNESS_CHANGE,
    },
  },
  'registry witness remove': {
    summary: "take a witness off the directory (the registry's operator, admin token)",
    operand: { name: 'NAME', description: "the witness's name, as registry witness list shows it" },
    options: WITNESS_CHANGE,
  },
  'registry witness quorum': {
    summary: "set how many listed witnesses must cosign a head (the registry's operator, admin token)",
    description: 'A majority of the witnesses listed: more than half, at most all (0 when none is listed).',
    operand: { name: 'N', description: 'the quorum' },
    options: (({ quorum: _quorum, ...rest }) => rest)(WITNESS_CHANGE),
  },
  'registry key certify': {
    summary: "anchor an organisation's key with its certificate chain (the registry's operator, admin token)",
    description:
      "For a registry from before contracts, whose keys carry no certificate and so sign nothing (401), or an organisation left without an anchored key. FILE holds the chain as PEM, the key's own certificate first: it must lead to one of the registry's TRUST_ANCHORS_FILE anchors and name the OIN in its subject's serialNumber. A key the registry lists gets the chain; a key it does not list is added with it (only for an organisation without an anchored key: one that has one adds its own keys). The change log records it with actor operator. Exits 1 when the registry refuses, naming why.",
    options: {
      oin: OPERATOR_ORGANISATION,
      cert: {
        type: 'string',
        value: 'FILE',
        required: true,
        description: "the certificate chain (PEM), the key's own certificate first",
      },
      kid: {
        type: 'string',
        value: 'KID',
        description: 'the key as the registry lists it (its thumbprint); it must be the key in the first certificate',
        defaultText: 'the key in the first certificate',
      },
      registry: REGISTRY.registry,
      'admin-token': WITNESS_CHANGE['admin-token'],
      json: { type: 'boolean', description: 'print the key as the registry then lists it, as JSON' },
    },
  },
  'registry key revoke': {
    summary: "revoke one key of an organisation (the registry's operator, admin token)",
    description:
      "For a key that leaked and revoked the organisation's other keys: once it is revoked, the organisation has no anchored key left and the operator adds a new certified one (registry key certify). What the key signed before --at keeps counting; what it signed from then on counts nothing. The change log records it with actor operator. An organisation revokes its own keys with a signed request (registry change). Exits 1 when the registry refuses, naming why.",
    options: {
      oin: OPERATOR_ORGANISATION,
      kid: {
        type: 'string',
        value: 'KID',
        required: true,
        description: 'the key, as the registry lists it (its thumbprint)',
      },
      at: {
        type: 'string',
        value: 'TIME',
        description:
          'the moment the key leaked (2026-12-07T09:30:00Z): not in the future, not before the key was valid',
        defaultText: 'now',
      },
      registry: REGISTRY.registry,
      'admin-token': WITNESS_CHANGE['admin-token'],
    },
  },
  'terugmelding list': {
    summary: "the bronhouder's terugmeldingen of a service, newest first, with their status",
    options: {
      status: {
        type: 'string',
        choices: TERUGMELDING_STATUSES,
        description: 'only those with this status',
      },
      ...MELDER,
      ...REGISTRY,
      json: { type: 'boolean', description: 'print them as JSON' },
    },
  },
  'terugmelding show': {
    summary:
      'one terugmelding: each doubted value, the proposal, the history (bronhouder, or the afnemer that sent it)',
    operand: MELDING,
    options: { ...MELDER, ...REGISTRY, json: { type: 'boolean', description: 'print it as JSON' } },
  },
  'terugmelding behandel': {
    summary: 'take a terugmelding in hand: its status becomes In behandeling (the bronhouder, signed with its key)',
    operand: MELDING,
    options: { ...MELDER, ...REGISTRY },
  },
  'terugmelding afhandel': {
    summary: 'close a terugmelding with its outcome and a message the melder reads (the bronhouder)',
    operand: MELDING,
    options: {
      uitkomst: {
        type: 'string',
        required: true,
        choices: TERUGMELDING_OUTCOMES,
        description: 'what was done with the doubted values',
      },
      bericht: {
        type: 'string',
        value: 'TEXT',
        required: true,
        description: 'the message for the melder, in plain Dutch',
      },
      ...MELDER,
      ...REGISTRY,
    },
  },
  'terugmelding melden': {
    summary: "report doubt about one value of a person to its bronhouder, as an afnemer (Wet BRP's terugmeldplicht)",
    description:
      "Signed with the organisation's key under its verwerkingsactiviteit; prints the melding's reference. Example: --as utrecht --service brp-personen --bsn 999993653 --field verblijfplaats.straat --betwijfeld Teststraat --voorgesteld Dorpsstraat.",
    options: {
      bsn: { type: 'string', value: 'BSN', required: true, description: 'the person the value is about' },
      field: {
        type: 'string',
        value: 'PATH',
        required: true,
        description: "the value's field path in the service's catalogue (verblijfplaats.straat)",
      },
      betwijfeld: { type: 'string', value: 'TEXT', required: true, description: 'the value as the service gave it' },
      voorgesteld: {
        type: 'string',
        value: 'TEXT',
        required: true,
        description: 'what it should be, as far as you know',
      },
      toelichting: { type: 'string', value: 'TEXT', description: 'why you doubt it' },
      'processing-activity': {
        type: 'string',
        value: 'URI',
        description: 'the verwerkingsactiviteit you report under',
        defaultText: 'the first one with an autorisatie for the service in force',
      },
      ...MELDER,
      ...REGISTRY,
      json: { type: 'boolean', description: "print the bronhouder's answer as JSON" },
    },
  },
  'witness serve': {
    summary:
      "a witness (C2SP tlog-witness): cosigns a log's checkpoint only when it extends the one it cosigned before",
    description:
      "It knows the logs of the organisations in the registry's verified directory (poortwachter/log/<OIN>/<id>, their anchored Ed25519 or P-256 keys) and the registry's change log (the pinned key). It keeps the latest checkpoint it cosigned per log in DIR/witness/ and its key in DIR/witness-key.jwk.json (made on the first start). POST /add-checkpoint, GET /<sha256 of origin>/checkpoint, /healthz, /readyz.",
    options: {
      ...WITNESS,
      port: { type: 'string', value: 'PORT', description: 'the port it listens on', defaultText: '$PORT, else 8313' },
      host: {
        type: 'string',
        value: 'HOST',
        description: 'the address it listens on (0.0.0.0 for every interface)',
        defaultText: '$HOST, else 127.0.0.1',
      },
      ...REGISTRY,
    },
  },
  'witness vkey': {
    summary: "prints the witness's verifier key (vkey) for the registry operator; makes the key when there is none",
    options: WITNESS,
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
export type GroupName = keyof typeof GROUPS;

/** The parsed options of command `N`. */
export type ValuesOf<N extends CommandName> = Values<(typeof COMMANDS)[N]>;

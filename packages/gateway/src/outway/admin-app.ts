import { type InvalidParam, ProblemError, VISIBLE_TEXT_PATTERN } from '@poortwachter/protocol';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { every } from 'hono/combine';
import type { Kysely } from 'kysely';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import type { GroupCommitter } from '../log/group-commit.ts';
import { withDirectory } from '../pipeline/directory.ts';
import { readBody } from '../pipeline/read-body.ts';
import { REQUIRED_READ_COMPONENTS, verifySignature } from '../pipeline/verify-signature.ts';
import type { NonceClaim } from '../storage/nonce-store.ts';
import { type AdminTokenHashes, matchesAdminToken } from './admin-token.ts';
import { listApplications, registerApplication, revokeApplication } from './applications.ts';
import { bindingProblems } from './bound-activities.ts';
import type { OutwayEnv } from './context.ts';
import type { OutwayDatabase } from './tables.ts';

/**
 * The operator's API of an outway (`/admin/v1`): register an
 * application (its API key is answered once; the outway keeps its hash), list them, revoke one. An
 * application is bound only to verwerkingsactiviteiten of this outway's organisation that the verified
 * directory knows and that have not ended (`bindingProblems`); otherwise nothing is stored (400).
 *
 * Who may: the operator with `Authorization: Bearer <admin token>`, or the outway's own organisation
 * with a request signed as every signed read is (RFC 9421 over REQUIRED_READ_COMPONENTS, verified by
 * `verifySignature` against the trusted directory's keys, nonce claimed once). A key of another
 * organisation is refused (403).
 */
export function adminApp(options: {
  readonly db: Kysely<OutwayDatabase>;
  /** The afnemer this outway signs for. */
  readonly organisationOin: string;
  readonly directory: DirectoryProvider;
  /** SHA-256 hashes (hex) of the admin tokens; a function is asked at every request (tokens added or revoked without a restart). */
  readonly adminTokenHashes: AdminTokenHashes;
  /** The outway's public base URL, which the organisation's signatures are made for. */
  readonly publicUrl: string;
  /** Claims the nonces of signed requests (the outway's shared store: a replay on any instance is refused). */
  readonly nonces: GroupCommitter<NonceClaim, boolean>;
  readonly now: () => number;
}) {
  const admin = new Hono<OutwayEnv>();
  const signedByOwnOrganisation = every(
    readBody(),
    withDirectory(options.directory),
    verifySignature({
      serviceId: 'outway',
      publicUrl: options.publicUrl,
      nonces: options.nonces,
      now: options.now,
      requiredComponents: REQUIRED_READ_COMPONENTS,
    }),
    async (c, next) => {
      if (c.var.caller?.organisation.oin !== options.organisationOin)
        throw new ProblemError('unauthorized', 'Alleen de organisatie van deze outway mag haar applicaties beheren.');
      await next();
    },
  );
  admin.use(async (c, next) => {
    if (c.req.header('authorization') === undefined && c.req.header('signature') !== undefined)
      return signedByOwnOrganisation(c, next);
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (
      !token ||
      !matchesAdminToken(
        token,
        typeof options.adminTokenHashes === 'function' ? options.adminTokenHashes() : options.adminTokenHashes,
      )
    ) {
      throw new ProblemError(
        'authentication',
        'Beheer van de outway vraagt het beheertoken, als Bearer token in de header Authorization.',
        {
          headers: { 'www-authenticate': 'Bearer realm="poortwachter-outway"' },
        },
      );
    }
    await next();
  });
  // An application's registration is small; nothing bigger is read, even with the admin token. (After
  // the check of who asks: a signed request's body is read by readBody from the request stream itself,
  // before anything opens it as a web stream, which would take an empty body's end from under it.)
  admin.use(
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new ProblemError('paramsValidation', 'De applicatie is te groot (hoogstens 64 kB).', {
          invalidParams: [{ name: 'body', code: 'maxLength', reason: 'Hoogstens 64 kB.' }],
        });
      },
    }),
  );
  admin.get('/applications', async (c) => c.json({ applications: await listApplications(options.db) }));
  admin.post('/applications', async (c) => {
    // A signed request's body was read (and its digest checked) already; a token's is read here.
    const signed = c.var.caller ? c.var.body : undefined;
    const body = await (signed ? Promise.resolve(new TextDecoder().decode(signed)) : c.req.text())
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => undefined);
    const invalid = (invalidParams: readonly InvalidParam[]) =>
      new ProblemError('paramsValidation', 'De applicatie is niet geldig.', { invalidParams });
    const problems = validateApplication(body);
    if (problems.length > 0) throw invalid(problems);
    const input = body as {
      name: string;
      processingActivities: string[];
      defaultProcessingActivity?: string;
      certificateSha256?: string;
    };
    const unbindable = bindingProblems(
      options.directory.current(),
      options.organisationOin,
      input.processingActivities,
      new Date(options.now()).toISOString(),
    );
    if (unbindable.length > 0) throw invalid(unbindable);
    const { application, apiKey } = await registerApplication(options.db, input, options.now());
    return c.json({ ...application, apiKey }, 201);
  });
  admin.delete('/applications/:id', async (c) => {
    if (!(await revokeApplication(options.db, c.req.param('id'), options.now())))
      throw new ProblemError('notFound', `Er is geen actieve applicatie ${c.req.param('id')}.`);
    return c.body(null, 204);
  });
  return admin;
}

/** More than any application is bound to: a list past this is a mistake, not a need. */
const MAX_ACTIVITIES = 100;
const VISIBLE_NAME = new RegExp(VISIBLE_TEXT_PATTERN, 'u');

function validateApplication(body: unknown) {
  const problems: { name: string; code: string; reason: string }[] = [];
  if (typeof body !== 'object' || body === null) {
    return [{ name: 'body', code: 'json', reason: 'Stuur een JSON object.' }];
  }
  const b = body as Record<string, unknown>;
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200)
    problems.push({ name: 'name', code: 'required', reason: 'Geef een naam van hoogstens 200 tekens.' });
  // The registry's rule for text people read: the name shows in the outway's log and its reports.
  else if (!VISIBLE_NAME.test(b.name))
    problems.push({
      name: 'name',
      code: 'pattern',
      reason: 'Een naam zonder stuurtekens, zoals een regeleinde of escape.',
    });
  const activities = b.processingActivities;
  if (
    !Array.isArray(activities) ||
    activities.length === 0 ||
    activities.length > MAX_ACTIVITIES ||
    !activities.every((a) => typeof a === 'string' && /^https?:\/\//.test(a))
  )
    problems.push({
      name: 'processingActivities',
      code: 'required',
      // MAX_ACTIVITIES written out: the text must fit the BRP reason pattern as it stands.
      reason: 'Geef een lijst met de URI van elke verwerkingsactiviteit, hoogstens 100.',
    });
  else
    activities.forEach((activity, i) => {
      if (activities.indexOf(activity) < i)
        problems.push({ name: `processingActivities.${i}`, code: 'duplicate', reason: 'Staat al eerder in de lijst.' });
    });
  if (b.defaultProcessingActivity !== undefined && b.defaultProcessingActivity !== null) {
    if (
      typeof b.defaultProcessingActivity !== 'string' ||
      !Array.isArray(activities) ||
      !activities.includes(b.defaultProcessingActivity)
    )
      problems.push({
        name: 'defaultProcessingActivity',
        code: 'notBound',
        reason: 'Moet een van processingActivities zijn.',
      });
  }
  const fingerprint = b.certificateSha256;
  if (
    fingerprint !== undefined &&
    (typeof fingerprint !== 'string' || !/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/.test(fingerprint))
  )
    problems.push({
      name: 'certificateSha256',
      code: 'pattern',
      reason: 'Geef de SHA256 vingerafdruk in hex, 64 tekens, met of zonder dubbele punten.',
    });
  for (const key of Object.keys(b))
    if (!['name', 'processingActivities', 'defaultProcessingActivity', 'certificateSha256'].includes(key))
      problems.push({ name: key, code: 'unknownParam', reason: 'Dit veld bestaat niet.' });
  return problems;
}

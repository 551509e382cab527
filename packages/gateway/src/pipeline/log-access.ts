import { GatewayRefusal } from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { GroupCommitter } from '../log/group-commit.ts';
import type { LogWrite } from '../storage/access-log-store.ts';
import { buildAccessRecords, recordActor } from './build-records.ts';
import type { GatewayEnv } from './context.ts';
import { JSON_UTF8 } from './media-types.ts';
import { gatewayMetrics } from './metrics.ts';
import { send } from './sign-response.ts';
import { inSpan } from './traced.ts';

export interface LogAccessOptions {
  /** Group-committed writer of access records and refusals. */
  readonly log: GroupCommitter<LogWrite, void>;
  /** Keyed pseudonym of a BSN (HMAC with the log key). */
  readonly pseudonymise: (bsn: string) => string;
  /** The records' `resource` attributes (service name and instance). */
  readonly resource: Readonly<Record<string, string>>;
  readonly now: () => number;
}

/**
 * The last stage: one access record per data subject, committed durably (group commit) and only then
 * the release. A log that cannot be written releases nothing (500 `TRANSACTION_LOG_WRITE_ERROR`).
 */
export const logAccess = (options: LogAccessOptions) =>
  async function logAccess(c: Context<GatewayEnv>): Promise<Response> {
    const grant = c.get('grant');
    const actor = grant && recordActor(grant, c.get('caller'), c.get('betrokkene'));
    if (!grant || !actor) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
    const { people, body, digest, contentType } = c.get('release');
    const records = buildAccessRecords(people, {
      grant,
      actor,
      trace: c.get('trace'),
      sourceSpanId: c.get('sourceSpanId'),
      transactionId: c.get('transactionId'),
      endTime: options.now(),
      responseDigest: digest,
      pseudonymise: options.pseudonymise,
      resource: options.resource,
    });
    const metrics = gatewayMetrics();
    await inSpan('log-commit', async (span) => {
      span.setAttribute('poortwachter.records', records.length);
      try {
        const submitted = performance.now();
        await options.log.submit({ accessRecords: records });
        metrics.logCommit.record(performance.now() - submitted);
      } catch (cause) {
        throw new GatewayRefusal('logWriteFailed', 'Het logboek kon niet worden geschreven. Er is niets vrijgegeven.', {
          cause,
        });
      }
    });
    metrics.requests.add(1, { outcome: 'released', status: 200 });
    metrics.latency.record(options.now() - c.get('trace').startTime, { outcome: 'released' });
    return send(c, 200, body, { 'content-type': contentType ?? JSON_UTF8, 'content-digest': digest });
  };

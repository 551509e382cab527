import type { JWK } from 'jose';
import type { CoverageReport } from './audit/coverage-report.ts';
import { type RegistryHistory, registryHistory, snapshotHistory } from './audit/registry-history.ts';
import { type CoverageVerification, verifyCoverageReport } from './audit/verify-coverage.ts';
import { type CallControl, controlledCall } from './call-control.ts';
import type { MissingGateway } from './gateway-calls.ts';
import {
  activeServices,
  type DirectorySource,
  directoryLoader,
  gatewayBase,
  providerOf,
  signedGatewayCall,
} from './gateway-calls.ts';
import { type LogVerifyProgress, verifyLogs } from './log-verification.ts';
import type { HeadStore } from './merkle/head-store.ts';
import { SdkError } from './sdk-error.ts';

export type { CoverageReport };

export interface CoverageProgress {
  readonly service: string;
  readonly done: number;
  readonly total: number;
  readonly step: string;
}

export interface AuditorClientOptions extends DirectorySource {
  /** The auditor's OIN (an organisation with the role `auditor` in the registry). */
  readonly oin: string;
  readonly privateKey: JWK;
  /**
   * The registry's history for verifying reports (default: fetched from `registryUrl`, each page
   * verified against the pinned `registryKey`; without them, the directory alone).
   */
  readonly history?: RegistryHistory;
}

type JobAnswer =
  | { status: 'running'; progress: { done: number; total: number; step: string } }
  | { status: 'done'; report: CoverageReport }
  | { status: 'failed'; error: string };

/**
 * A client for an auditor (an FG, the Autoriteit Persoonsgegevens): asks every gateway in the
 * directory for its coverage report over a period, with signed requests, verifying every answer.
 *
 * @example
 * const auditor = createAuditorClient({ oin, privateKey, registryUrl, registryKey });
 * const { reports } = await auditor.coverage({ from: '2026-11-01', to: '2026-11-30', onProgress: console.log });
 */
export function createAuditorClient(options: AuditorClientOptions) {
  const directory = directoryLoader(options);
  const run = <T>(
    name: string,
    control: CallControl | undefined,
    body: (fetch: typeof globalThis.fetch) => Promise<T>,
  ) => controlledCall(name, options, control, body);

  return {
    /** The verified directory (fetched once, then kept). */
    directory: (control?: CallControl) => run('directory', control, directory),
    /**
     * Checks every gateway's verifiable log against the heads seen before (kept in `heads`), and with
     * `full` recomputes every record's leaf and the tree (with `incremental`, only the entries added
     * since the last run proved them); see `verifyLogs`.
     */
    verifyLogs: (
      request: CallControl & {
        heads: HeadStore;
        full?: boolean;
        incremental?: boolean;
        onProgress?: (p: LogVerifyProgress) => void;
      },
    ) =>
      run('verifyLogs', request, async (fetchImpl) => {
        const snapshot = await directory(fetchImpl);
        return verifyLogs({
          directory: snapshot,
          services: activeServices(snapshot),
          privateKey: options.privateKey,
          heads: request.heads,
          fetch: fetchImpl,
          ...(request.full ? { full: true } : {}),
          ...(request.incremental ? { incremental: true } : {}),
          ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        });
      }),
    /**
     * Asks every gateway for its coverage report over a period. With `verify`, each report is also
     * recomputed on this side from the entries of the signed heads it names (see `verifyCoverageReport`).
     */
    coverage: (
      request: CallControl & {
        from: string;
        to: string;
        verify?: boolean;
        onProgress?: (progress: CoverageProgress) => void;
        pollIntervalMs?: number;
      },
    ): Promise<{
      reports: { service: string; gateway: string; report: CoverageReport; verification?: CoverageVerification }[];
      missing: MissingGateway[];
    }> =>
      run('coverage', request, async (fetchImpl) => {
        const snapshot = await directory(fetchImpl);
        const history =
          options.history ??
          (options.registryUrl
            ? registryHistory({
                registryUrl: options.registryUrl,
                ...(options.registryKey ? { registryKey: options.registryKey } : {}),
                // Already bounded by this call's timeout and signal.
                fetch: fetchImpl,
                timeoutMs: Number.POSITIVE_INFINITY,
              })
            : snapshotHistory(() => snapshot));
        const answers = await Promise.all(
          activeServices(snapshot).map(async (service) => {
            const provider = providerOf(snapshot, service);
            const base = gatewayBase(service);
            try {
              const started = await signedGatewayCall<{ id: string }>(
                fetchImpl,
                { url: `${base}/audit/v1/coverage`, method: 'POST', body: { from: request.from, to: request.to } },
                options.privateKey,
                provider,
              );
              for (;;) {
                const { body } = await signedGatewayCall<JobAnswer>(
                  fetchImpl,
                  { url: `${base}/audit/v1/coverage/${encodeURIComponent(started.body.id)}`, method: 'GET' },
                  options.privateKey,
                  provider,
                );
                if (body.status === 'done') {
                  const verification = request.verify
                    ? await verifyCoverageReport(body.report, {
                        gatewayBase: base,
                        provider,
                        directory: snapshot,
                        history,
                        privateKey: options.privateKey,
                        fetch: fetchImpl,
                      })
                    : undefined;
                  request.onProgress?.({ service: service.id, done: 1, total: 1, step: 'done' });
                  return {
                    report: {
                      service: service.id,
                      gateway: service.gatewayUrl,
                      report: body.report,
                      ...(verification ? { verification } : {}),
                    },
                  };
                }
                if (body.status === 'failed') throw new SdkError('reportFailed', `The report failed: ${body.error}`);
                request.onProgress?.({ service: service.id, ...body.progress });
                await new Promise((resolve) => setTimeout(resolve, request.pollIntervalMs ?? 200));
              }
            } catch (error) {
              if (
                error instanceof SdkError &&
                ['unauthorized', 'authentication', 'paramsValidation'].includes(error.code)
              ) {
                throw error;
              }
              const reason = error instanceof Error ? error.message : String(error);
              return { missing: { service: service.id, gateway: service.gatewayUrl, reason } };
            }
          }),
        );
        return {
          reports: answers.flatMap((a) => ('report' in a && a.report ? [a.report] : [])),
          missing: answers.flatMap((a) => ('missing' in a && a.missing ? [a.missing] : [])),
        };
      }),
  };
}

export type AuditorClient = ReturnType<typeof createAuditorClient>;

import type { TreeHead } from '@poortwachter/protocol';

/** A signed tree head as a report names it: the log it was computed on, up to that size. */
export type ReportHead = TreeHead & { readonly jws: string };

/** The coverage report of one service over a period, as a gateway computes it and an auditor recomputes it. */
export interface CoverageReport {
  readonly period: { readonly from: string; readonly to: string };
  readonly generatedAt: string;
  readonly serviceId: string;
  readonly directorySerial: number;
  readonly history: { readonly source: string; readonly changes: number };
  /** The signed tree heads it was computed on: exactly the records and refusals of these logs up to these sizes. */
  readonly heads: readonly ReportHead[];
  readonly totals: {
    readonly accesses: number;
    readonly dataSubjects: number;
    readonly refusals: number;
    readonly invalidAccesses: number;
    readonly unusedFieldFindings: number;
    readonly expiringAutorisaties: number;
    readonly dormantAutorisaties: number;
  };
  readonly rows: readonly {
    readonly afnemer: { readonly oin: string; readonly name: string };
    readonly processingActivity: { readonly id: string; readonly name: string };
    readonly autorisatieIds: readonly string[];
    readonly accesses: number;
    readonly dataSubjects: number;
    readonly fieldsAuthorised: readonly string[];
    readonly fieldsUsed: readonly string[];
    readonly fieldsUnused: readonly string[];
    readonly refusals: Readonly<Record<string, number>>;
    /**
     * Who accepted each of the pair's autorisaties (contracts) and when, from the directory after the
     * trust step: only acceptances whose signatures the reader verified itself against anchored keys.
     */
    readonly acceptedBy: readonly {
      readonly autorisatieId: string;
      readonly oin: string;
      readonly name: string;
      readonly signedAt: string;
    }[];
    /** Accesses per UTC day (`2026-12-03`), oldest first; days without any left out. */
    readonly accessesPerDay: readonly { readonly day: string; readonly n: number }[];
  }[];
  /** Refusals before a caller was identified (bad or missing signature or citizen token), by reason. */
  readonly refusalsWithoutCaller: Readonly<Record<string, number>>;
  readonly invalidAccesses: readonly {
    readonly id: string;
    readonly at: string;
    readonly afnemerOin: string;
    readonly processingActivityId: string;
    readonly processingActivityVersion: number;
    readonly reasons: readonly string[];
  }[];
  readonly expiringAutorisaties: readonly {
    readonly id: string;
    readonly afnemerOin: string;
    readonly processingActivityId: string;
    readonly validTo: string;
    readonly daysLeft: number;
  }[];
  readonly dormantAutorisaties: readonly {
    readonly id: string;
    readonly afnemerOin: string;
    readonly processingActivityId: string;
  }[];
}

export interface ReportProgress {
  readonly done: number;
  readonly total: number;
  readonly step: string;
}

/** One (afnemer, verwerkingsactiviteit) of the report. */
export interface CoveragePair {
  readonly oin: string;
  readonly activityId: string;
}

/**
 * What the report is computed from: the records and refusals of the period within the named heads.
 * The gateway answers these from the columns of its database (indexed), an auditor from the entries
 * it proved itself; the report is the same algorithm over either, so any difference is in the data.
 */
export interface CoverageData {
  /** Every (afnemer, activity) with an access record in the period. */
  recordPairs(): Promise<CoveragePair[]>;
  /** A pair's records grouped by (version, released fields): how many, first and last start time. */
  groups(
    pair: CoveragePair,
  ): Promise<{ version: number; releasedFields: string; n: number; first: number; last: number }[]>;
  /** A pair's records per UTC day: the day as a number (milliseconds since 1970 / 86 400 000) and how many. */
  perDay(pair: CoveragePair): Promise<{ day: number; n: number }[]>;
  /** How many distinct data subjects a pair's records name. */
  subjects(pair: CoveragePair): Promise<number>;
  /** A pair's records of one version that started in [from, to): how many, and the first `limit` by (start time, id). */
  stretch(
    pair: CoveragePair,
    version: number,
    from: number,
    to: number,
    limit: number,
  ): Promise<{ n: number; listed: { id: string; startTime: number }[] }>;
  /** The period's refusals of the service, counted by (caller, activity, reason). */
  refusals(): Promise<{ callerOin: string | null; activityId: string | null; reason: string; n: number }[]>;
  /** All records of the period: how many, and how many distinct data subjects. */
  totals(): Promise<{ accesses: number; dataSubjects: number }>;
}

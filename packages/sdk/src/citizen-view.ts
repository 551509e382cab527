import type { DirectorySnapshot } from '@poortwachter/protocol';

/** One access to the citizen's data, as a gateway's inzage shows it (plain Dutch). */
export interface CitizenAccess {
  readonly id: string;
  readonly tijdstip: string;
  /** The organisation responsible for the access (a gemeente, also when another asked for it). */
  readonly organisatie: { readonly naam: string; readonly oin: string };
  /** Only when another organisation asked on the gemeente's behalf (delegation): who asked. */
  readonly gevraagdDoor?: { readonly naam: string; readonly oin: string };
  readonly doel: string;
  readonly verwerking: string;
  readonly grondslagen: readonly {
    readonly omschrijving: string;
    readonly wet: string;
    readonly artikel: string;
    readonly link: string;
  }[];
  readonly gegevens: readonly { readonly soort: string; readonly velden: readonly string[] }[];
  readonly transactieId: string;
  readonly dienst: string;
  /** Set when the citizen looked at their own data (the service's inzage by the betrokkene): "U heeft zelf uw gegevens bekeken". */
  readonly zelf?: true;
}

/** The parts of a stored access record (Logboek Dataverwerkingen shape) the citizen's view is made of. */
export interface LoggedAccess {
  readonly id: string;
  readonly record: {
    readonly start_time: number;
    readonly attributes: Readonly<Record<string, unknown>>;
  };
}

/**
 * The citizen's view of one access, made from the record exactly as logged and the directory: the
 * gateway answers with it, and the citizen's client recomputes it from the proven record to check
 * that what it was shown is what the log holds.
 */
export function citizenView(entry: LoggedAccess, directory: DirectorySnapshot, serviceId: string): CitizenAccess {
  const a = entry.record.attributes;
  const oin = String(a['dpl.core.foreign_operation.processor'] ?? '');
  const delegate = a['poortwachter.delegate_oin'] === undefined ? undefined : String(a['poortwachter.delegate_oin']);
  const named = (o: string) => ({
    naam: directory.organisations.find((x) => x.oin === o)?.name ?? 'onbekende organisatie',
    oin: o,
  });
  const activityId = String(a['dpl.core.processing_activity_id'] ?? '');
  const versionNumber = Number(a['poortwachter.processing_activity_version']);
  const activity = directory.processing_activities.find((p) => p.id === activityId);
  // The version the access was made under: its purpose and grondslagen are what applied then.
  const version = activity?.versions.find((v) => v.version === versionNumber) ?? activity?.versions.at(-1);
  const service = directory.services.find((s) => s.id === serviceId);
  const catalogue = service?.fieldCatalogue ?? [];
  const groups = new Map<string, string[]>();
  for (const path of (a['poortwachter.released_fields'] ?? []) as string[]) {
    const field = catalogue.find((f) => f.path === path);
    const soort = field?.group ?? 'overige gegevens';
    groups.set(soort, [...(groups.get(soort) ?? []), field?.label ?? path]);
  }
  return {
    id: entry.id,
    tijdstip: new Date(entry.record.start_time).toISOString(),
    organisatie: named(oin),
    ...(delegate === undefined ? {} : { gevraagdDoor: named(delegate) }),
    doel: version?.doel ?? 'onbekend doel',
    verwerking: version?.name ?? activityId,
    grondslagen: (version?.grondslagIds ?? []).flatMap((id) => {
      const g = directory.grondslagen.find((x) => x.id === id);
      return g ? [{ omschrijving: g.title, wet: g.lawName, artikel: g.article, link: g.url }] : [];
    }),
    gegevens: [...groups].map(([soort, velden]) => ({ soort, velden })),
    transactieId: String(a['poortwachter.fsc_transaction_id'] ?? ''),
    dienst: serviceId,
    ...(activityId !== '' && activityId === service?.betrokkene?.inzageActivityId ? { zelf: true as const } : {}),
  };
}

import { type AccessLogResult, createCitizenClient } from '../citizen-client.ts';
import { checkDateOptions, registryOptions, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { citizenToken } from './dev-token.ts';
import { usageError } from './options.ts';
import { joined, jsonText, print, shown, type TerminalText } from './output.ts';
import { table } from './table.ts';

const when = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  dateStyle: 'short',
  timeStyle: 'medium',
});

/**
 * Whether independent witnesses vouched for the heads the lines were proven in: the witnesses that
 * cosigned every proven line's head, or the lines refused for lacking the directory's quorum, or that
 * the directory names no witnesses.
 */
function witnessText(records: AccessLogResult['records']): TerminalText | undefined {
  const unwitnessed = records.filter((r) => r.inLog?.verified === false && r.inLog.unwitnessed).length;
  if (unwitnessed > 0) {
    return shown`\nLET OP: ${unwitnessed} ${unwitnessed === 1 ? 'regel is' : 'regels zijn'} NIET bevestigd door genoeg onafhankelijke getuigen. Misschien krijgt u een ander logboek te zien dan anderen (zie "technisch" hierboven).\n`;
  }
  const heads = records.flatMap((r) => (r.inLog?.verified ? [r.inLog.witnessed] : []));
  if (heads.length === 0) return undefined;
  if (heads.some((w) => w.quorum === 0)) {
    return shown`\nLet op: de logboeken zijn niet bevestigd door onafhankelijke getuigen (de registry noemt geen getuigen). Een organisatie kan u dan een ander logboek laten zien dan anderen.\n`;
  }
  const all = heads.map((w) => new Set(w.cosigners));
  const everywhere = [...(all[0] ?? [])].filter((name) => all.every((set) => set.has(name))).sort();
  const quorum = Math.max(...heads.map((w) => w.quorum));
  return shown`\nDe logboeken zijn bevestigd door onafhankelijke getuigen: ${everywhere.join(', ') || `minstens ${quorum}`} (nodig: ${quorum}).\n`;
}

/**
 * `poortwachter inzage --bsn 999993653`: for development, logs in at the development identity
 * provider as a test BSN and prints who consulted that person's data, from every gateway.
 */
export async function inzageCommand(values: ValuesOf<'inzage'>): Promise<number> {
  if (!values.bsn && !values.token) return usageError('poortwachter inzage needs --bsn, or --token.', 'inzage');
  return runCommand(async () => {
    // A date that is not one is an error before anything is asked or shown (never "nobody looked").
    checkDateOptions(
      { '--van': values.van, '--tot': values.tot },
      {
        date: (option, value) =>
          `${option} ${value} is geen datum die bestaat: schrijf hem als jaar-maand-dag, bijvoorbeeld 2026-11-01.`,
        order: (option, value, start, startValue) =>
          `${option} ${value} ligt niet na ${start} ${startValue}: de periode zou eindigen voor ze begint.`,
      },
    );
    const token = await citizenToken(values);
    const client = createCitizenClient({ token, ...registryOptions(values) });
    const result = await client.accessLog({
      ...(values.van ? { from: values.van } : {}),
      ...(values.tot ? { to: values.tot } : {}),
      ...(values.verify ? { verify: true } : {}),
    });
    const unproven = result.records.filter((r) => r.inLog && !r.inLog.verified);
    if (values.json) {
      print(jsonText(result));
      return result.complete && unproven.length === 0 ? 0 : 1;
    }
    const gateways = new Set(result.records.map((r) => r.gateway)).size + result.missing.length;
    print(
      shown`Wie heeft uw gegevens bekeken${values.bsn ? ` (BSN ${values.bsn})` : ''}: ${result.records.length} keer, volgens ${gateways} ${gateways === 1 ? 'bron' : 'bronnen'}. Elk antwoord is ondertekend door de organisatie die de gegevens beheert, en die handtekening is gecontroleerd.\n\n`,
    );
    if (result.records.length > 0) {
      print(
        shown`${table(
          [
            'Wanneer',
            'Organisatie',
            'Bij wie (houdt het logboek bij)',
            'Waarvoor',
            'Wet',
            'Welke gegevens',
            'Transactie',
            ...(values.verify ? ['In logboek'] : []),
          ],
          result.records.map((r) => [
            when.format(new Date(r.tijdstip)),
            r.zelf
              ? 'U heeft zelf uw gegevens bekeken'
              : r.gevraagdDoor
                ? `${r.organisatie.naam} (gevraagd door ${r.gevraagdDoor.naam})`
                : r.organisatie.naam,
            r.bronhouder,
            r.verwerking,
            r.grondslagen.map((g) => `${g.wet} ${g.artikel}`).join('; '),
            r.gegevens.map((g) => g.soort).join(', '),
            r.transactieId,
            ...(values.verify ? [r.inLog?.verified ? 'bewezen' : 'NIET BEWEZEN'] : []),
          ]),
        )}\n\n`,
      );
      const purposes = new Map(result.records.map((r) => [r.verwerking, r.doel]));
      print(shown`Waarvoor:\n${joined([...purposes].map(([name, doel]) => shown`  ${name}: ${doel}`))}\n\n`);
      const laws = new Map(result.records.flatMap((r) => r.grondslagen.map((g) => [`${g.wet} ${g.artikel}`, g.link])));
      print(shown`De wetten:\n${joined([...laws].map(([law, link]) => shown`  ${law}: ${link}`))}\n`);
    } else {
      print(shown`Niemand heeft uw gegevens bekeken in deze periode.\n`);
    }
    if (values.verify) {
      print(
        unproven.length === 0
          ? result.records.length === 1
            ? shown`\nDe regel is bewezen: hij staat in het ondertekende logboek van de organisatie die de gegevens beheert.\n`
            : shown`\nAlle ${result.records.length} regels zijn bewezen: ze staan in het ondertekende logboek van de organisatie die de gegevens beheert.\n`
          : shown`\nLET OP: ${unproven.length} van de ${result.records.length} ${unproven.length === 1 ? 'regel is' : 'regels zijn'} NIET bewezen. Het logboek is mogelijk aangepast:\n${joined(
              unproven.map(
                (r) =>
                  shown`  - ${when.format(new Date(r.tijdstip))}, ${r.organisatie.naam}: deze regel klopt niet met het ondertekende logboek.\n    (technisch: ${r.inLog && !r.inLog.verified ? r.inLog.reason : r.id})`,
              ),
            )}\n`,
      );
    }
    if (values.verify) {
      const line = witnessText(result.records);
      if (line) print(line);
    }
    for (const m of result.missing) {
      print(
        shown`\nLET OP: ${m.gateway} (${m.service}) gaf geen antwoord: ${m.reason}. Dit overzicht is dus niet compleet.\n`,
      );
    }
    return result.complete && unproven.length === 0 ? 0 : 1;
  });
}

import type { CommandSpec, OptionSpec } from './command-spec.ts';
import { COMMANDS, type CommandName, GROUPS, type GroupName } from './definitions.ts';

const WIDTH = 100;
/** A longer label (`--format table|json|csv|markdown`) has its text on the lines below it. */
const MAX_LABEL = 26;

const EXIT_CODES =
  'exit codes: 0 done (and, for checks, nothing found), 1 refused, a finding or a gateway that did not ' +
  'answer, 2 a usage or set-up error (unknown option, missing key or registry)';

/** `text` (or these units, never split) in lines of at most WIDTH columns, each indented by `indent`. */
function wrap(text: string | string[], indent: number, separator = ' '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of typeof text === 'string' ? text.split(/\s+/).filter(Boolean) : text) {
    if (line && indent + line.length + separator.length + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line}${separator}${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`);
}

/** Two columns: each label, then its text wrapped beside it (below it when the label is too wide). */
function columns(
  rows: [label: string, text: string][],
  indent = 2,
  column = Math.max(...rows.map(([label]) => label.length).filter((length) => length <= MAX_LABEL)) + indent + 2,
): string[] {
  return rows.flatMap(([label, text]) => {
    const [first = '', ...rest] = wrap(text, column);
    const head = `${' '.repeat(indent)}${label}`;
    return head.length + 2 <= column ? [`${head.padEnd(column)}${first.trimStart()}`, ...rest] : [head, first, ...rest];
  });
}

/** `--format table|json|csv|markdown`, `--from DATE`, `--json`. */
export function optionLabel(name: string, option: OptionSpec): string {
  if (option.type === 'boolean') return `--${name}`;
  return `--${name} ${option.choices?.join('|') ?? option.value ?? 'VALUE'}`;
}

function optionText(option: OptionSpec): string {
  if (option.type === 'boolean') return option.description;
  const notes = [
    option.required ? 'required' : undefined,
    option.default !== undefined ? `default ${option.default}` : undefined,
    option.defaultText !== undefined ? `default: ${option.defaultText}` : undefined,
  ].filter(Boolean);
  return notes.length > 0 ? `${option.description} (${notes.join('; ')})` : option.description;
}

const subcommandsOf = (group: GroupName) =>
  (Object.keys(COMMANDS) as CommandName[]).filter((name) => name.startsWith(`${group} `));

/** The subcommand words of a group (`coverage`, `serve`, `reconcile` of `audit`). */
export const subcommandWords = (group: GroupName) => subcommandsOf(group).map((name) => name.slice(group.length + 1));

/** Each command's summary and the options it takes, under the name the list shows. */
function listing(names: CommandName[], word: (name: CommandName) => string): string[] {
  const label = (name: CommandName) => {
    const operand = (COMMANDS[name] as CommandSpec).operand;
    return operand ? `${word(name)} ${operand.name}` : word(name);
  };
  const column = Math.min(Math.max(...names.map((name) => label(name).length)) + 4, 32);
  return names.flatMap((name) => {
    const spec: CommandSpec = COMMANDS[name];
    const options = Object.entries(spec.options).map(([option, o]) => optionLabel(option, o));
    return [...columns([[label(name), spec.summary]], 2, column), ...wrap(options, column, '  ')];
  });
}

/** `poortwachter <command> --help`: what the command does and every option it accepts. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const options = Object.entries(spec.options).map(([option, o]): [string, string] => [
    optionLabel(option, o),
    optionText(o),
  ]);
  return [
    `poortwachter ${name}${spec.operand ? ` ${spec.operand.name}` : ''} [options]`,
    '',
    ...wrap(spec.summary, 0),
    ...(spec.description ? ['', ...wrap(spec.description, 0)] : []),
    ...(spec.operand ? ['', ...columns([[spec.operand.name, spec.operand.description]], 0)] : []),
    '',
    'options:',
    ...columns([...options, ['-h, --help', 'print this help']]),
    '',
    ...wrap(EXIT_CODES, 0),
    '',
  ].join('\n');
}

/** `poortwachter audit --help`: the group's subcommands. */
export function groupHelp(group: GroupName): string {
  return [
    `poortwachter ${group} <subcommand> [options]`,
    '',
    ...wrap(GROUPS[group].summary, 0),
    '',
    'subcommands:',
    ...listing(subcommandsOf(group), (name) => name.slice(group.length + 1)),
    '',
    `poortwachter ${group} <subcommand> --help shows its options, with what each does and its default.`,
    '',
    ...wrap(EXIT_CODES, 0),
    '',
  ].join('\n');
}

/** `poortwachter --help`: every command. */
export function usage(): string {
  return [
    'poortwachter <command> [options]',
    '',
    'commands:',
    ...listing(Object.keys(COMMANDS) as CommandName[], (name) => name),
    '',
    ...columns(
      [
        ['poortwachter <command> --help', 'what a command does, and each option with its default'],
        ['poortwachter --version', 'the version of this tool (@poortwachter/sdk)'],
      ],
      0,
      31,
    ),
    '',
    ...wrap(
      './data is $DATA_DIR when set, else the data folder of the poortwachter checkout you are in (or ./data here).',
      0,
    ),
    '',
    ...wrap(EXIT_CODES, 0),
    '',
  ].join('\n');
}

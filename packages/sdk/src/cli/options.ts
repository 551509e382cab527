import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CommandSpec } from './command-spec.ts';
import { COMMANDS, type CommandName, type ValuesOf } from './definitions.ts';
import { commandHelp, optionLabel } from './help.ts';
import { nearest } from './nearest.ts';
import { ownText, print, printError, shown } from './output.ts';

/**
 * Prints a usage error in one line, pointing at the help of `command` (a command or group; the whole
 * tool when left out); returns exit code 2.
 */
export function usageError(message: string, command?: string): 2 {
  printError(shown`${message} See poortwachter${command ? ` ${command}` : ''} --help.\n`);
  return 2;
}

/** The option map node:util's parseArgs takes, made from the command's definition. */
function parserOptions(spec: CommandSpec): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(spec.options).map(([name, option]) => [
      name,
      option.type === 'string' && option.default !== undefined
        ? { type: option.type, default: option.default }
        : { type: option.type },
    ]),
  );
}

/**
 * Parses the options of command `name` by its definition. `--help` (or `-h`) prints the command's
 * help and exits 0. `--help=…` (help takes no value), a flag given a value, an unknown option (named
 * with the nearest other known one), an argument that is not an option, a value outside an option's
 * choices or a missing required option is a usage error: one line on stderr, exit 2.
 */
export function parseOptions<N extends CommandName>(name: N, args: string[]): ValuesOf<N> {
  const helpWithValue = args.find((arg) => /^(--help|-h)=/.test(arg));
  if (helpWithValue !== undefined) {
    const flag = helpWithValue.slice(0, helpWithValue.indexOf('='));
    process.exit(usageError(`${flag} takes no value: write ${flag} alone, not '${helpWithValue}'.`, name));
  }
  if (args.includes('--help') || args.includes('-h')) {
    print(ownText(commandHelp(name)));
    process.exit(0);
  }
  const spec: CommandSpec = COMMANDS[name];
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: parserOptions(spec),
      allowPositionals: spec.operand !== undefined,
      strict: true,
    }));
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    // The option as typed (`-x` or `--xyz`); a guess is never the option itself.
    const unknown = /Unknown option '(--?[^']+)'/.exec(message)?.[1];
    const guess = unknown ? nearest(unknown.replace(/^--?/, ''), [...Object.keys(spec.options), 'help']) : undefined;
    const flag =
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
        ? /^Option '(--[^']+)' does not take an argument/.exec(message)?.[1]
        : undefined;
    const argument =
      code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? /argument '([^']*)'/.exec(message)?.[1] : undefined;
    process.exit(
      usageError(
        unknown
          ? `Unknown option '${unknown}' for poortwachter ${name}.${guess && `--${guess}` !== unknown ? ` Did you mean '--${guess}'?` : ''}`
          : flag !== undefined
            ? `${flag} takes no value: write ${flag} alone.`
            : argument !== undefined
              ? `poortwachter ${name} takes options only, not '${argument}'.`
              : `${message.replace(/[^.]$/, '$&.')}`,
        name,
      ),
    );
  }
  if (spec.operand) {
    const [operand, extra] = positionals;
    if (operand === undefined)
      process.exit(usageError(`poortwachter ${name} needs ${spec.operand.name}: ${spec.operand.description}.`, name));
    if (extra !== undefined)
      process.exit(usageError(`poortwachter ${name} takes one ${spec.operand.name}, not also '${extra}'.`, name));
    values.operand = operand;
  }
  for (const [option, definition] of Object.entries(spec.options)) {
    if (definition.type !== 'string') continue;
    const value = values[option];
    if (value === undefined && definition.required) {
      process.exit(usageError(`poortwachter ${name} needs ${optionLabel(option, definition)}.`, name));
    }
    if (typeof value === 'string' && definition.choices && !definition.choices.includes(value)) {
      process.exit(usageError(`--${option} must be one of ${definition.choices.join(', ')}, not '${value}'.`, name));
    }
  }
  return values as ValuesOf<N>;
}

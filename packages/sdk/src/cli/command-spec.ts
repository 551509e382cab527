/**
 * The shape of a command's definition. A command's parser, its `--help`, its group's help and the
 * whole `poortwachter --help` are all made from one definition, so what a command accepts and what it
 * says it accepts cannot drift apart.
 */

/** An option that takes a value: `--from DATE`, `--format table|json|csv|markdown`. */
export interface StringOption {
  readonly type: 'string';
  /** What the value is, as the help shows it (`DATE`, `FILE`); enumerated options show their choices. */
  readonly value?: string;
  readonly description: string;
  /** The only values accepted; anything else is a usage error naming them. */
  readonly choices?: readonly string[];
  /** The value the command gets when the option is not given (shown as "default table"). */
  readonly default?: string;
  /** A default the command works out itself (from the environment, today's date), in words for the help. */
  readonly defaultText?: string;
  /** Without it the command cannot run: a usage error naming the option. */
  readonly required?: true;
}

/** A flag: `--json`, `--verify`. */
export interface BooleanOption {
  readonly type: 'boolean';
  readonly description: string;
}

export type OptionSpec = StringOption | BooleanOption;

/** One command (`query`, `audit coverage`): what it does and every option it accepts. */
export interface CommandSpec {
  /** One line, for the lists of commands. */
  readonly summary: string;
  /** What else a user should know (exit codes of a check, where it listens), for its help. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The one word it takes besides its options (`contract show HASH`): required, given as `values.operand`. */
  readonly operand?: { readonly name: string; readonly description: string };
}

/** A word that groups subcommands (`audit` of `audit coverage`); it does nothing by itself. */
export interface GroupSpec {
  readonly summary: string;
}

type ValueOf<O> = O extends BooleanOption ? boolean : O extends { readonly choices: readonly (infer C)[] } ? C : string;
type AlwaysGiven<O> = O extends { readonly default: string } | { readonly required: true } ? true : false;

/**
 * The parsed options of a command with definition `S`: a choice option is typed by its choices, and
 * an option with a default or one that is required is always there.
 */
export type Values<S extends CommandSpec> = {
  -readonly [K in keyof S['options'] as AlwaysGiven<S['options'][K]> extends true ? K : never]: ValueOf<
    S['options'][K]
  >;
} & {
  -readonly [K in keyof S['options'] as AlwaysGiven<S['options'][K]> extends true ? never : K]?: ValueOf<
    S['options'][K]
  >;
} & (S extends { readonly operand: object } ? { operand: string } : unknown);

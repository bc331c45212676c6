import { parseArgs } from 'node:util';
import type { CliIo } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help for a string option, e.g. '<file>'. */
  value?: string;
  description: string;
}

/** One subcommand's arguments, for parsing and for its `--help`. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. '<cidr|range|ip>...'; none when unset. */
  positionals?: string;
  options: Record<string, OptionSpec>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Every command takes --help. */
const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/**
 * An argument as it may be echoed to a terminal: quoted, cut to 80 characters, with bidi overrides and other
 * control characters spelled out so a pasted argument cannot rewrite the line it is shown on.
 */
export function shown(arg: string): string {
  return JSON.stringify(arg.slice(0, 80)).replace(
    /[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function usageLine(spec: CommandSpec): string {
  const options = Object.keys(spec.options).length > 0 ? ' [options]' : '';
  return `usage: hashinsight-agent ${spec.name}${options}${spec.positionals ? ` ${spec.positionals}` : ''}`;
}

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`;
    return `  ${flag.padEnd(28)} ${option.description}`;
  });
  return `${usageLine(spec)}\n\n${spec.summary}\n\noptions:\n${rows.join('\n')}\n`;
}

/**
 * Parses `argv` against `spec` strictly: unknown options, values for flags, missing values, repeated options
 * and unexpected positionals are errors, reported with the offending argument made safe to print.
 */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedArgs | { error: string } {
  const options: Record<string, OptionSpec> = { ...spec.options, help: HELP };
  let tokens: ReturnType<typeof parseArgs>['tokens'];
  try {
    ({ tokens } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          o.short ? { type: o.type, short: o.short } : { type: o.type },
        ]),
      ),
      strict: false,
      allowPositionals: true,
      tokens: true,
    }));
  } catch (error) {
    return { error: `bad arguments: ${shown((error as Error).message)}` };
  }
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!spec.positionals) return { error: `unknown argument ${shown(token.value)}` };
      positionals.push(token.value);
      continue;
    }
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option === undefined) return { error: `unknown argument ${shown(token.rawName)}` };
    if (values[token.name] !== undefined) return { error: `${token.rawName} is given twice` };
    if (option.type === 'boolean') {
      if (token.value !== undefined) return { error: `${token.rawName} takes no value` };
      values[token.name] = true;
    } else {
      // `--config --json` would otherwise read "--json" as the file; `--config=-x` still says what it means.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
        return { error: `${token.rawName} needs a value ${option.value ?? ''}`.trimEnd() };
      }
      values[token.name] = token.value;
    }
  }
  return { values, positionals };
}

/**
 * Parses, or answers `--help` (exit 0) or a usage error (exit 2) on `io`. A command calls it first and returns
 * the number when it gets one.
 */
export function parseOrExit(spec: CommandSpec, argv: string[], io: CliIo): ParsedArgs | number {
  const parsed = parseCommand(spec, argv);
  if ('error' in parsed) {
    io.stderr.write(`hashinsight-agent ${spec.name}: ${parsed.error}\n${usageLine(spec)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(helpText(spec));
    return 0;
  }
  return parsed;
}

import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: false };

/** Options every AWS-facing verb takes, named as the AWS CLI names them. */
export const COMMON_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  stage: { type: 'string' },
  'state-machine': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

export type CommonValues = {
  region?: string | undefined;
  profile?: string | undefined;
  stage?: string | undefined;
  'state-machine'?: string | undefined;
  debug?: boolean | undefined;
  help?: boolean | undefined;
};

/** parseArgs with the common options added; its errors become one usage line. */
export function parseCommand<const O extends Record<string, OptionSpec>>(
  verb: string,
  argv: string[],
  options: O,
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message)?.[1];
    const detail = unknown ? `unknown option ${unknown}` : (message.split('\n')[0] ?? message);
    throw new UsageError(`${detail} (see failover ${verb} --help)`);
  }
}

/** At most `max` positionals; the usage line names what is expected. */
export function positionals(verb: string, given: string[], names: string[]): (string | undefined)[] {
  if (given.length > names.length) {
    throw new UsageError(
      `unexpected argument "${given[names.length]}": failover ${verb} takes ${names.length === 0 ? 'no arguments' : names.join(' ')} (see failover ${verb} --help)`,
    );
  }
  return names.map((_, i) => given[i]);
}

export function required(verb: string, value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`${flag} is required (see failover ${verb} --help)`);
  }
  return value;
}

/** A whole number within bounds, or a usage error naming the flag. */
export function integer(verb: string, value: string | undefined, flag: string, min: number, max: number) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${flag} must be a whole number from ${min} to ${max}, got "${value}" (see failover ${verb} --help)`,
    );
  }
  return n;
}

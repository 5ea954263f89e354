import { approve, reject } from './commands/approve.js';
import { history } from './commands/history.js';
import { report } from './commands/report.js';
import { start } from './commands/start.js';
import { status } from './commands/status.js';
import { stop } from './commands/stop.js';
import { unlock } from './commands/unlock.js';
import { validate } from './commands/validate.js';
import { CliError, UsageError } from './errors.js';
import { type CliIo, withDefaults } from './io.js';
import { USAGE } from './usage.js';

type Command = (argv: string[], io: CliIo) => Promise<number>;

export const COMMANDS: Record<string, Command> = {
  start,
  status,
  approve,
  reject,
  stop,
  unlock,
  history,
  report,
  // Loaded on demand: the drill brings the simulated cloud and every step handler with it,
  // which the AWS-facing commands do not need to start fast.
  drill: async (argv, io) => (await import('./commands/drill.js')).drill(argv, io),
  validate,
};

function errorLine(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}`;
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  for (let e = error as Error | undefined, depth = 0; e && depth < 5; e = e.cause as Error, depth++) {
    lines.push(`${depth === 0 ? '' : 'caused by: '}${e.stack ?? String(e)}`);
  }
  return lines.join('\n');
}

/**
 * The `failover` command line: `main(process.argv.slice(2))`. Returns the exit status; prints
 * through `io`, which tests replace. An error is one line on stderr (the stack only with --debug).
 */
export async function main(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  const io = withDefaults(partialIo);
  const [verb, ...rest] = argv;
  if (verb === undefined) {
    io.err(USAGE.main as string);
    return 2;
  }
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    const topic = rest[0] && USAGE[rest[0]] ? rest[0] : 'main';
    io.out(USAGE[topic] as string);
    return 0;
  }
  try {
    const command = COMMANDS[verb];
    if (!command) {
      throw new UsageError(
        `unknown command "${verb}": one of ${Object.keys(COMMANDS).join(', ')} (see failover --help)`,
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(USAGE[verb] as string);
      return 0;
    }
    return await command(rest, io);
  } catch (error) {
    io.err(`failover ${verb}: ${errorLine(error)}`);
    if (argv.includes('--debug')) io.err(stackOf(error));
    return error instanceof CliError ? error.exitCode : 1;
  }
}

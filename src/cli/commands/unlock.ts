import { readLock } from '../../aws/lock.js';
import { unlockStale } from '../../aws/lock-operator.js';
import { decideUnlock, describeCooldown, describeHeld } from '../../decisions/lock-operator.js';
import { StepFunctions } from '../aws.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import {
  holderStatus,
  LOCK_TABLE_OPTION,
  lockClient,
  lockTableName,
  onLockTable,
  unlockLines,
} from '../lock.js';
import { parseCommand, positionals, required } from '../options.js';

/**
 * `failover unlock --plan NAME`: frees a plan's lock whose holder is gone (stopped from the
 * console, timed out, or failed outside every Catch), instead of waiting up to two hours for it
 * to expire or editing DynamoDB by hand. Refuses while the holder runs; asks before removing.
 */
export async function unlock(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('unlock', argv, {
    plan: { type: 'string' },
    by: { type: 'string' },
    reason: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    force: { type: 'boolean' },
    ...LOCK_TABLE_OPTION,
  });
  positionals('unlock', given, []);
  const plan = required('unlock', values.plan, '--plan NAME');
  const by = values.by?.trim() || io.user();
  const sfn = new StepFunctions(io, values);
  const stagePlan = knownPlan(io, sfn.stateMachineName);
  if (stagePlan.name !== null && stagePlan.name !== plan) {
    throw new UsageError(
      `unknown plan "${plan}": the plan of ${sfn.stateMachineName} (${stagePlan.file}) is "${stagePlan.name}" (see failover unlock --help)`,
    );
  }
  const region = await sfn.region();
  const table = { region, name: lockTableName(sfn, values['lock-table']) };
  const dynamodb = lockClient(sfn, region);
  const where = `${table.name} (${table.region})`;

  const lock = await onLockTable(table, 'GetItem', () => readLock(dynamodb, table, plan));
  if (!lock) {
    const unchecked =
      stagePlan.name === null ? ` (${stagePlan.file} is not here to check that plan ${plan} exists)` : '';
    io.out(`Plan ${plan}'s lock is free: no lock item in ${where}${unchecked}. Nothing to unlock.`);
    return 0;
  }
  if (lock.state === 'cooldown') {
    io.out(
      `Plan ${plan}'s lock is ${describeCooldown(lock)}. Not a stuck lock: start a manual or planned failover, which overrides it. Nothing removed.`,
    );
    return 0;
  }
  const status = await holderStatus(sfn, lock.holder);
  const decision = decideUnlock(lock, status, {
    force: values.force === true,
    nowSeconds: Math.floor(io.now().getTime() / 1000),
  });
  if (decision.kind === 'holder-unknown') {
    throw new CliError(
      `plan ${plan}'s lock is ${describeHeld(lock)}, and ${sfn.stateMachineName} has no execution ${lock.holder}: nothing removed. A lock this young belongs to a known execution: check --stage or --state-machine (and --region). If you are sure the holder is gone, run again with --force`,
    );
  }
  if (decision.kind === 'holder-running') {
    throw new CliError(
      `plan ${plan}'s lock is ${describeHeld(lock)}, and ${lock.holder} is ${status}: nothing removed. To end it: failover stop ${lock.holder} --reason TEXT --by ${by} (that frees its lock too)`,
    );
  }
  io.out(`Plan ${plan}'s lock in ${where} is ${describeHeld(lock)}; ${lock.holder} is ${status}.`);
  if (!values.yes && !(await confirmed(io, plan))) {
    io.out('Not confirmed: nothing removed.');
    return 1;
  }
  const result = await onLockTable(table, 'TransactWriteItems', () =>
    unlockStale({ dynamodb, table, plan, by, reason: values.reason ?? null, now: io.now() }, lock, status),
  );
  for (const line of unlockLines(result, plan, table)) io.out(line);
  return result.kind === 'removed' ? 0 : 1;
}

/** Type the plan's name, or y: a stray Enter removes nothing. */
async function confirmed(io: CliIo, plan: string): Promise<boolean> {
  if (!io.isInteractive()) {
    throw new UsageError(
      'not a terminal, so nobody can confirm: pass --yes to remove the lock without asking (see failover unlock --help)',
    );
  }
  const answer = (await io.prompt(`Remove it? Type the plan name (${plan}) or y: `)).trim();
  return answer === plan || answer.toLowerCase() === 'y' || answer.toLowerCase() === 'yes';
}

/**
 * The plan the stage deploys (serverless.yml packages plans/<stage>.json): a name that is not
 * it is a typo, not a free lock. The file is only there when the command runs from the
 * project; without it the name cannot be checked, and the output says so.
 */
function knownPlan(io: CliIo, stateMachineName: string): { name: string | null; file: string } {
  const stage = /^failover-(.+)$/.exec(stateMachineName)?.[1];
  const file = `plans/${stage ?? '<stage>'}.json`;
  if (!stage) return { name: null, file };
  let text: string;
  try {
    text = io.readFile(file);
  } catch {
    return { name: null, file };
  }
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return { name: typeof name === 'string' ? name : null, file };
  } catch (error) {
    throw new CliError(
      `${file} is not valid JSON (${(error as Error).message}): failover validate ${file}`,
      2,
    );
  }
}

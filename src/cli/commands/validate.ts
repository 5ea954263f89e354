import { PlanInvalidError } from '../../errors.js';
import { describeBudget, timeBudget } from '../../plan/budget.js';
import { databasesOf } from '../../plan/databases.js';
import { loadPlanFile } from '../../plan/load.js';
import { trafficWarnings } from '../../traffic-modes/decision.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { USAGE } from '../usage.js';

/** The same check as `npm run package` and every cold start, before a plan is deployed. */
export async function validate(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE.validate as string);
    return 0;
  }
  const unknown = argv.find((a) => a.startsWith('-'));
  if (unknown) throw new UsageError(`unknown option ${unknown} (see failover validate --help)`);
  if (argv.length !== 1) throw new UsageError('validate takes one PLAN_FILE (see failover validate --help)');
  const file = argv[0] as string;
  try {
    const plan = loadPlanFile(file);
    io.out(
      `ok ${file}: plan ${plan.name}, ${plan.regions.primary} -> ${plan.regions.standby}, ${databasesOf(plan).length > 1 ? `${databasesOf(plan).length} databases, ` : ''}${plan.services.length} services, ${plan.dns.records.length} DNS records, ${plan.signals.length} signals`,
    );
    // What the plan's waits add up to, so a change that brings it near the limit shows before it fails.
    io.out(`time budget: ${describeBudget(timeBudget(plan))}`);
    // Accepted, but worth knowing before the day it matters: said on stdout, exit code 0.
    for (const warning of trafficWarnings(plan)) io.out(`warning: ${warning}`);
    return 0;
  } catch (error) {
    if (!(error instanceof PlanInvalidError)) throw error;
    // Every bad field, one per line: the whole list is the useful answer here.
    throw new CliError(error.message);
  }
}

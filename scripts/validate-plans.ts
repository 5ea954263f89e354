/**
 * Validates failover plans with the same schema the functions apply at cold start, so a bad
 * plan fails here (and `npm run package`) instead of in the middle of an outage.
 *
 *   tsx scripts/validate-plans.ts                    # every plans/*.json
 *   tsx scripts/validate-plans.ts plans/prod.json    # only the files named
 *
 * Prints `ok <file> (plan <name>: <primary> -> <standby>)` per valid file (and a `warning` line per
 * thing worth knowing, such as records that cannot move in a us-east-1 outage), or the error naming
 * each bad field; exits 1 if any file is invalid.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlanInvalidError } from '../src/errors.js';
import { loadPlanFile } from '../src/plan/load.js';
import { trafficWarnings } from '../src/traffic-modes/decision.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');

function allPlanFiles(): string[] {
  const dir = join(repoRoot, 'plans');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** As the user would type it: relative to where the command runs. */
function display(file: string): string {
  return relative(process.cwd(), resolve(file)) || file;
}

function main(args: string[]): number {
  const files = args.length > 0 ? args : allPlanFiles();
  if (files.length === 0) {
    console.error(`no plan files found in ${display(join(repoRoot, 'plans'))}`);
    return 1;
  }
  let invalid = 0;
  for (const file of files) {
    const shown = display(file);
    try {
      const plan = loadPlanFile(shown);
      console.log(`ok ${shown} (plan ${plan.name}: ${plan.regions.primary} -> ${plan.regions.standby})`);
      for (const warning of trafficWarnings(plan)) console.log(`warning ${shown}: ${warning}`);
    } catch (error) {
      if (!(error instanceof PlanInvalidError)) throw error;
      invalid += 1;
      console.error(error.message);
    }
  }
  return invalid === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));

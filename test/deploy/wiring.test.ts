import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LOCK_TABLE_ENV } from '../../src/aws/lock.js';
import { ERROR_NAMES } from '../../src/errors.js';
import { stepHandlers } from '../../src/handlers/index.js';
import { startRequestV1Schema } from '../../src/input/start-request.js';

/**
 * Deployment wiring that needs no packaging run: serverless.yml, src/handlers/index.ts and the
 * state machine agree. scripts/check-package.ts checks the packaged result (npm run package).
 */

/** A state of the Amazon States Language, as far as these checks read it. */
interface AslState {
  Type: string;
  Resource?: unknown;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
  Branches?: { States: Record<string, AslState> }[];
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
}

const ASL_FILE = 'statemachines/failover.asl.json';

function loadDefinition(file = ASL_FILE): { States: Record<string, AslState> } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Every state by name, those inside Parallel branches and Map processors included. */
function allStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch.States)),
    ...[state.ItemProcessor, state.Iterator].flatMap((inner) => (inner ? allStates(inner.States) : [])),
  ]);
}

/** Service integrations whose `Parameters.FunctionName` names the function, not `Resource`. */
const LAMBDA_INVOKE = new Set([
  'arn:aws:states:::lambda:invoke',
  'arn:aws:states:::lambda:invoke.waitForTaskToken',
]);

/** The function `{"Fn::GetAtt": ["<function>", "Arn"]}` names, if it is that. */
function getAttFunction(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt.length === 2 && getAtt[1] === 'Arn' ? String(getAtt[0]) : undefined;
}

/**
 * The serverless function a Task calls: `Resource` is `{"Fn::GetAtt": ["<function>", "Arn"]}`, or
 * it is `arn:aws:states:::lambda:invoke[.waitForTaskToken]` with that in `Parameters.FunctionName`.
 */
function taskFunction(state: AslState): string | undefined {
  if (typeof state.Resource === 'string' && LAMBDA_INVOKE.has(state.Resource)) {
    return getAttFunction(state.Parameters?.FunctionName);
  }
  return getAttFunction(state.Resource);
}

interface ServerlessConfig {
  functions: Record<string, { handler: string }>;
  package: { individually?: boolean; patterns?: string[] };
  provider: { environment: Record<string, unknown> };
  stepFunctions: {
    stateMachines: Record<
      string,
      { definition: string; events?: { schedule?: { rate: string; input: Record<string, unknown> } }[] }
    >;
  };
}

const config = parse(readFileSync('serverless.yml', 'utf8')) as ServerlessConfig;
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

/**
 * The three lists of steps (serverless.yml's functions, the drill's handler table, the state
 * machine's Tasks) must name the same functions: a Task naming a function that is not deployed
 * fails only at deploy time, and one the drill does not bind fails only in a drill.
 */
describe('step functions, handlers and state machine', () => {
  const definition = loadDefinition();
  const tasks = allStates(definition.States).filter(([, state]) => state.Type === 'Task');

  it('serverless.yml deploys exactly the handlers of src/handlers/index.ts', () => {
    expect(sorted(Object.keys(config.functions))).toEqual(sorted(Object.keys(stepHandlers)));
  });

  it(`${ASL_FILE} calls exactly those functions`, () => {
    const untargeted = tasks.filter(([, state]) => taskFunction(state) === undefined).map(([name]) => name);
    expect(untargeted, 'Tasks naming no function with {"Fn::GetAtt": [<function>, "Arn"]}').toEqual([]);
    expect(sorted(tasks.map(([, state]) => taskFunction(state) ?? ''))).toEqual(
      sorted(Object.keys(stepHandlers)),
    );
  });

  it('each function runs src/handlers/<kebab-name>.handler, and the file exists', () => {
    for (const [name, fn] of Object.entries(config.functions)) {
      expect(fn.handler, name).toBe(`src/handlers/${kebab(name)}.handler`);
      expect(existsSync(`src/handlers/${kebab(name)}.ts`), `src/handlers/${kebab(name)}.ts`).toBe(true);
    }
  });

  it('the deployed state machine is the file the drill runs', () => {
    const machines = Object.values(config.stepFunctions.stateMachines);
    expect(machines.map((m) => m.definition)).toEqual([`\${file(${ASL_FILE})}`]);
  });

  it("packages the stage's plan into every zip and points FAILOVER_PLAN_FILE at it", () => {
    expect(config.package.individually).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless variable syntax, resolved by osls
    expect(config.package.patterns).toContain('plans/${sls:stage}.json');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless variable syntax, resolved by osls
    expect(config.provider.environment.FAILOVER_PLAN_FILE).toBe('/var/task/plans/${sls:stage}.json');
  });

  it('points every function at the lock table', () => {
    expect(config.provider.environment[LOCK_TABLE_ENV]).toEqual({ Ref: 'FailoverLockTable' });
  });

  it('the readiness schedule starts a dry run into the region it is deployed in', () => {
    const schedules = Object.values(config.stepFunctions.stateMachines).flatMap((m) =>
      (m.events ?? []).flatMap((e) => (e.schedule ? [e.schedule] : [])),
    );
    expect(schedules).toHaveLength(1);
    const [schedule] = schedules;
    expect(schedule?.rate).toBe('rate(30 minutes)');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless variable syntax, resolved by osls
    expect(schedule?.input.targetRegion).toBe('${self:provider.region}');
    // As osls resolves it for a deployment in us-west-2 (scripts/check-package.ts checks the packaged one).
    const input = startRequestV1Schema.parse({ ...schedule?.input, targetRegion: 'us-west-2' });
    expect(input).toMatchObject({ mode: 'manual', dryRun: true });
  });
});

/** Error names predefined by the Amazon States Language. */
const STATES_ERRORS = new Set([
  'States.ALL',
  'States.DataLimitExceeded',
  'States.ExceedToleratedFailureThreshold',
  'States.HeartbeatTimeout',
  'States.Http.Socket',
  'States.IntrinsicFailure',
  'States.ItemReaderFailed',
  'States.NoChoiceMatched',
  'States.ParameterPathFailure',
  'States.Permissions',
  'States.QueryEvaluationError',
  'States.ResultPathMatchFailure',
  'States.ResultWriterFailed',
  'States.Runtime',
  'States.TaskFailed',
  'States.Timeout',
]);

function isKnown(name: string): boolean {
  if (name.startsWith('States.')) return STATES_ERRORS.has(name);
  // Lambda.* names are the Lambda service's exceptions (Lambda.ServiceException, ...): an open set.
  if (name.startsWith('Lambda.')) return /^Lambda\.[A-Z][A-Za-z]+$/.test(name);
  return (ERROR_NAMES as readonly string[]).includes(name);
}

/**
 * Retry and Catch match on error names as strings: a misspelt name never matches and the
 * error silently takes another path. Every name must be one the steps throw (src/errors.ts),
 * one the States Language defines, or one the Lambda service raises.
 */
describe(`error names in ${ASL_FILE}`, () => {
  const matchers = allStates(loadDefinition().States).flatMap(([state, s]) =>
    [
      ...(s.Retry ?? []).map((r) => ['Retry', r] as const),
      ...(s.Catch ?? []).map((c) => ['Catch', c] as const),
    ].flatMap(([kind, rule]) => rule.ErrorEquals.map((name) => ({ state, kind, name }))),
  );

  it('has Retry and Catch rules to check', () => {
    expect(matchers.length).toBeGreaterThan(0);
  });

  it('names only errors the steps throw, States.* or Lambda.*', () => {
    const unknown = matchers.filter((m) => !isKnown(m.name)).map((m) => `${m.state} ${m.kind}: ${m.name}`);
    expect(unknown).toEqual([]);
  });

  it('retries the transient error the steps throw', () => {
    expect(matchers.some((m) => m.kind === 'Retry' && m.name === 'AwsTransientError')).toBe(true);
  });
});

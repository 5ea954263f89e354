import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { HandlerExecutionContext } from '@smithy/types';
import { awsClients } from '../aws/clients.js';
import { DEFAULT_LOCK_TABLE, LOCK_TABLE_ENV } from '../aws/lock.js';
import { STOPPED_BY_OPERATOR } from '../cli/commands/stop.js';
import type { CliIo } from '../cli/io.js';
import { main } from '../cli/main.js';
import { toHistoryEvents } from '../history/record.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { TaskRecord } from './bindings.js';
import type { OperatorAction } from './scenario-types.js';

/**
 * The on-call engineer at the command line during a drill: `failover stop` and `failover unlock`
 * run as typed (src/cli, unchanged), their DynamoDB calls going to the simulated cloud through
 * the drill's client registry, their Step Functions calls answered from the drill's own
 * executions below. Nothing in the lock table is edited by the drill itself.
 */

const ACCOUNT = '123456789012';
/** The stage serverless.yml would deploy for the drill's plan (plans/dev.json). */
const STATE_MACHINE = 'failover-dev';
const stateMachineArn = (region: string) =>
  `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${STATE_MACHINE}`;
export const executionArnOf = (region: string, name: string) =>
  `arn:aws:states:${region}:${ACCOUNT}:execution:${STATE_MACHINE}:${name}`;

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** One execution of the drill as Step Functions would describe it, live. */
interface LiveExecution {
  name: string;
  startedAt: string;
  input: unknown;
  records: readonly TaskRecord[];
  status: Status;
  error: { name: string; cause: string } | null;
  stoppedAt: number | null;
  abort: () => void;
}

/** The drill's executions, for the operator's Step Functions calls. */
export class LiveExecutions {
  readonly #byName = new Map<string, LiveExecution>();

  started(execution: Omit<LiveExecution, 'status' | 'error' | 'stoppedAt'>): void {
    this.#byName.set(execution.name, { ...execution, status: 'RUNNING', error: null, stoppedAt: null });
  }

  ended(name: string, status: Exclude<Status, 'RUNNING' | 'ABORTED'>, error: LiveExecution['error']): void {
    const live = this.#byName.get(name);
    // An execution already stopped stays ABORTED: its interpreter only learns of it afterwards.
    if (live?.status !== 'RUNNING') return;
    Object.assign(live, { status, error, stoppedAt: Date.now() });
  }

  /** The error and cause StopExecution gave, once the interpreter reports the abort. */
  stopError(name: string): { name: string; cause: string } {
    return this.#byName.get(name)?.error ?? { name: STOPPED_BY_OPERATOR, cause: 'stopped' };
  }

  get(name: string): LiveExecution | undefined {
    return this.#byName.get(name);
  }

  /**
   * StopExecution: "Stops an execution" (API reference), synchronously for Standard workflows:
   * DescribeExecution says ABORTED at once. A Lambda task already running is not interrupted:
   * the interpreter's abort leaves its handler promise to finish, as Lambda would.
   */
  stop(name: string, error: string, cause: string): number {
    const live = this.#byName.get(name);
    if (!live) throw stepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${name}'`);
    if (live.status !== 'RUNNING') {
      throw stepFunctionsError('ExecutionNotRunning', `Execution is not running: '${name}'`);
    }
    Object.assign(live, { status: 'ABORTED', error: { name: error, cause }, stoppedAt: Date.now() });
    live.abort();
    return live.stoppedAt as number;
  }
}

function stepFunctionsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/**
 * An SFNClient answered by the drill: the middleware sits where the simulated cloud's does
 * (step deserialize), so the CLI's calls go through the SDK's serializer as they would on AWS.
 */
function drillStepFunctions(live: LiveExecutions, region: string): SFNClient {
  const client = new SFNClient({
    region,
    credentials: { accessKeyId: 'AKIADRILLDRILLDRILL0', secretAccessKey: 'drill' },
  });
  client.middlewareStack.add(
    (_next: unknown, context: HandlerExecutionContext) => async (args: { input: unknown }) => ({
      output: {
        $metadata: { httpStatusCode: 200 },
        ...answer(live, region, context.commandName, args.input),
      },
      response: {},
    }),
    { step: 'deserialize', priority: 'high', name: 'drillStepFunctions', override: true },
  );
  return client;
}

function answer(live: LiveExecutions, region: string, command: string | undefined, input: unknown): object {
  const request = input as { executionArn?: string; error?: string; cause?: string };
  const name = request.executionArn?.split(':').pop() ?? '';
  switch (command) {
    case 'ListStateMachinesCommand':
      return {
        stateMachines: [
          {
            name: STATE_MACHINE,
            stateMachineArn: stateMachineArn(region),
            type: 'STANDARD',
            creationDate: new Date(0),
          },
        ],
      };
    case 'StopExecutionCommand':
      return {
        stopDate: new Date(live.stop(name, request.error ?? STOPPED_BY_OPERATOR, request.cause ?? '')),
      };
    case 'DescribeExecutionCommand': {
      const execution = live.get(name);
      if (!execution)
        throw stepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${name}'`);
      return {
        executionArn: executionArnOf(region, name),
        stateMachineArn: stateMachineArn(region),
        name,
        status: execution.status,
        startDate: new Date(execution.startedAt),
        input: JSON.stringify(execution.input),
        ...(execution.stoppedAt === null ? {} : { stopDate: new Date(execution.stoppedAt) }),
        ...(execution.error ? { error: execution.error.name, cause: execution.error.cause } : {}),
      };
    }
    case 'GetExecutionHistoryCommand': {
      const execution = live.get(name);
      if (!execution)
        throw stepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${name}'`);
      if (execution.status === 'RUNNING') {
        throw new Error('the drill answers GetExecutionHistory for ended executions only (SimulatorGap)');
      }
      const events = toHistoryEvents(execution.records, {
        name,
        startedAt: execution.startedAt,
        status: execution.status,
        error: execution.error,
        input: execution.input,
        ...(execution.stoppedAt === null ? {} : { stoppedAt: execution.stoppedAt }),
      });
      return { events };
    }
    default:
      throw new Error(`the drill does not answer Step Functions ${command} (SimulatorGap)`);
  }
}

export interface OperatorContext {
  plan: FailoverPlan;
  planFile: string;
  /** The orchestrator's region, where the lock and the executions are. */
  region: string;
  live: LiveExecutions;
  /** Execution names in start order: an action's `execution` indexes it. */
  names: readonly string[];
  /** Every line an operator's command printed, prefixed with the command. */
  log: string[];
}

/** Runs each action at its time, as an operator would type it, and keeps what it printed. */
export async function playOperators(actions: readonly OperatorAction[], ctx: OperatorContext): Promise<void> {
  await Promise.all(actions.map((action) => play(action, ctx)));
}

async function play(action: OperatorAction, ctx: OperatorContext): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, action.afterMs));
  const table = process.env[LOCK_TABLE_ENV] || DEFAULT_LOCK_TABLE;
  const target = (index: number | undefined) => {
    const name = ctx.names[index ?? 0];
    if (!name)
      throw new Error(`operator action ${action.command}: no execution #${index ?? 0} in this drill`);
    return executionArnOf(ctx.region, name);
  };
  const argv =
    action.command === 'stop'
      ? [
          'stop',
          target(action.execution),
          '--reason',
          action.reason,
          '--by',
          action.by,
          '--lock-table',
          table,
        ]
      : action.command === 'unlock'
        ? [
            'unlock',
            '--plan',
            ctx.plan.name,
            '--yes',
            '--by',
            action.by,
            '--reason',
            action.reason,
            '--lock-table',
            table,
          ]
        : null;
  if (!argv) {
    // The console's Stop button: StopExecution and nothing else, which leaves the lock held.
    const name = target(action.execution).split(':').pop() as string;
    ctx.live.stop(name, STOPPED_BY_OPERATOR, `stopped by ${action.by}: ${action.reason}`);
    ctx.log.push(`[console] ${action.by} stopped ${name} from the Step Functions console (${action.reason})`);
    return;
  }
  const prefix = `[failover ${argv[0]}]`;
  const code = await main(argv, operatorIo(ctx, prefix));
  ctx.log.push(`${prefix} exit ${code}`);
}

function operatorIo(ctx: OperatorContext, prefix: string): Partial<CliIo> {
  const print = (text: string) => {
    for (const line of text.split('\n')) ctx.log.push(`${prefix} ${line}`);
  };
  return {
    out: print,
    err: print,
    env: { AWS_REGION: ctx.region },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // The stage's plan file, as the command finds it in the project: the drill's variant of it.
    readFile: (path) => readFileSync(path === `plans/dev.json` ? ctx.planFile : path, 'utf8'),
    sfnClient: () => drillStepFunctions(ctx.live, ctx.region),
    dynamodbClient: (config) => awsClients.forRegion(String(config.region)).dynamodb as DynamoDBClient,
    isInteractive: () => false,
    prompt: async () => '',
    user: () => 'drill-operator',
  };
}

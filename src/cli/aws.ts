import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  paginateGetExecutionHistory,
  paginateListStateMachines,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { consoleUrlOf } from '../events/detail.js';
import type { ExecutionSummary } from '../history/rebuild.js';
import { type AwsContext, CliError, explainAwsError } from './errors.js';
import type { CliIo } from './io.js';
import type { CommonValues } from './options.js';

const DEFAULT_STAGE = 'dev';

/**
 * The Step Functions side of the command line: one client for the resolved region and profile,
 * the state machine (`failover-<stage>`, or `--state-machine`), executions by name or ARN.
 * Every AWS call goes through `call`, so every failure becomes one line naming what was done.
 */
export class StepFunctions {
  readonly client: SFNClient;
  #stateMachineArn: string | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: CommonValues,
    /** Region to use when neither --region nor the environment gives one (start: the target). */
    fallbackRegion?: string,
  ) {
    const region =
      options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? fallbackRegion ?? undefined;
    // The client's `profile` is AWS_PROFILE for this client only: credentials and the profile's
    // region come from ~/.aws as the AWS CLI would read them, with no extra package.
    this.client = io.sfnClient({
      ...(region ? { region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
    });
    if (options['state-machine']) this.#stateMachineArn = options['state-machine'];
  }

  get stateMachineName(): string {
    const given = this.options['state-machine'];
    return given ? (given.split(':').pop() ?? given) : `failover-${this.options.stage ?? DEFAULT_STAGE}`;
  }

  async region(): Promise<string> {
    try {
      return await this.client.config.region();
    } catch (error) {
      throw explainAwsError(error, { action: 'resolve region', region: '(no region)' });
    }
  }

  async call<T>(action: string, run: () => Promise<T>, context: Partial<AwsContext> = {}): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof CliError) throw error;
      const region = await this.region().catch(() => '(no region)');
      throw explainAwsError(error, {
        action: `states:${action}`,
        region,
        stateMachine: this.stateMachineName,
        ...context,
      });
    }
  }

  /** `failover-<stage>` in this region, found with ListStateMachines, or the ARN given. */
  async stateMachineArn(): Promise<string> {
    if (this.#stateMachineArn) return this.#stateMachineArn;
    const name = this.stateMachineName;
    const found = await this.call('ListStateMachines', async () => {
      for await (const page of paginateListStateMachines({ client: this.client }, {})) {
        const match = page.stateMachines?.find((m) => m.name === name);
        if (match?.stateMachineArn) return match.stateMachineArn;
      }
      return undefined;
    });
    if (!found) {
      throw new CliError(
        `state machine ${name} not found in ${await this.region()}: deploy the stage there, or pass --region, --stage or --state-machine`,
      );
    }
    this.#stateMachineArn = found;
    return found;
  }

  /** An execution ARN from an ARN or a name; without either, the newest execution (optionally running). */
  async executionArn(ref: string | undefined, newest: { running?: boolean } = {}): Promise<string> {
    if (ref?.startsWith('arn:')) return ref;
    const machine = await this.stateMachineArn();
    if (ref) return `${machine.replace(':stateMachine:', ':execution:')}:${ref}`;
    const listed: ListExecutionsCommandOutput = await this.call('ListExecutions', () =>
      this.client.send(
        new ListExecutionsCommand({
          stateMachineArn: machine,
          maxResults: 1,
          ...(newest.running ? { statusFilter: 'RUNNING' } : {}),
        }),
      ),
    );
    const arn = listed.executions?.[0]?.executionArn;
    if (!arn) {
      throw new CliError(
        `no ${newest.running ? 'running ' : ''}execution of ${this.stateMachineName} in ${await this.region()}`,
      );
    }
    return arn;
  }

  async describe(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    return this.call(
      'DescribeExecution',
      () => this.client.send(new DescribeExecutionCommand({ executionArn })),
      {
        execution: executionName(executionArn),
      },
    );
  }

  /** Every event, oldest first, across all pages. */
  async history(executionArn: string): Promise<HistoryEvent[]> {
    return this.call(
      'GetExecutionHistory',
      async () => {
        const events: HistoryEvent[] = [];
        const pages = paginateGetExecutionHistory(
          { client: this.client, pageSize: 1000 },
          { executionArn, includeExecutionData: true },
        );
        for await (const page of pages) events.push(...(page.events ?? []));
        return events;
      },
      { execution: executionName(executionArn) },
    );
  }
}

export function executionName(executionArn: string): string {
  return executionArn.split(':').pop() ?? executionArn;
}

/** DescribeExecution's answer in the shape the report rebuild takes. */
export function summaryOf(described: DescribeExecutionCommandOutput): ExecutionSummary {
  return {
    name: described.name ?? executionName(described.executionArn ?? ''),
    status: described.status ?? 'RUNNING',
    startDate: described.startDate ?? new Date(0),
    ...(described.stopDate ? { stopDate: described.stopDate } : {}),
    ...(described.output === undefined ? {} : { output: described.output }),
    ...(described.error === undefined ? {} : { error: described.error }),
    ...(described.cause === undefined ? {} : { cause: described.cause }),
  };
}

/** The execution's page in the Step Functions console (the one link the events carry too). */
export function consoleUrl(executionArn: string): string {
  return (
    consoleUrlOf(executionArn) ??
    `https://console.aws.amazon.com/states/home#/v2/executions/details/${executionArn}`
  );
}

import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListStateMachinesCommand,
  SFNServiceException,
} from '@aws-sdk/client-sfn';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { SavedHistory } from '../../src/history/file.js';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:failover-dev`;
export const executionArn = (name: string) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:execution:failover-dev:${name}`;
/** The operator's clock: 03:05 on the day of the recorded drills. */
export const NOW = new Date('2026-11-22T03:05:00.000Z');

export interface Run {
  code: number;
  out: string[];
  err: string[];
  stdout: string;
  stderr: string;
}

/** Runs `failover ...argv` in-process with captured output and a clock that does not wait. */
export async function run(argv: string[], io: Partial<CliIo> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (text) => out.push(...text.split('\n')),
    err: (text) => err.push(...text.split('\n')),
    env: { AWS_REGION: REGION },
    now: () => NOW,
    sleep: async () => undefined,
    ...io,
  });
  return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') };
}

// biome-ignore lint/suspicious/noExplicitAny: any SDK client's stub
type Stub = AwsStub<any, any, any>;

export function withStateMachines(sfn: Stub, names = ['failover-dev', 'failover-prod']) {
  sfn.on(ListStateMachinesCommand).resolves({
    stateMachines: names.map((name) => ({
      name,
      stateMachineArn: STATE_MACHINE_ARN.replace('failover-dev', name),
      type: 'STANDARD',
      creationDate: new Date('2026-01-01T00:00:00Z'),
    })),
  });
}

/** DescribeExecution's answer for a saved execution, with its ARN. */
export function described(saved: SavedHistory, patch: Partial<DescribeExecutionCommandOutput> = {}) {
  const { name, status, startDate, stopDate, output, error, cause } = saved.execution;
  return {
    executionArn: executionArn(name),
    stateMachineArn: STATE_MACHINE_ARN,
    name,
    status: status as DescribeExecutionCommandOutput['status'],
    startDate,
    ...(stopDate ? { stopDate } : {}),
    ...(output === undefined ? {} : { output }),
    ...(error === undefined ? {} : { error }),
    ...(cause === undefined ? {} : { cause }),
    ...patch,
  };
}

/** GetExecutionHistory in pages of `pageSize`, as the API pages a long history. */
export function withHistory(sfn: Stub, arn: string, events: HistoryEvent[], pageSize = 100) {
  const pages = Math.max(1, Math.ceil(events.length / pageSize));
  for (let page = 0; page < pages; page++) {
    sfn
      .on(GetExecutionHistoryCommand, {
        executionArn: arn,
        ...(page > 0 ? { nextToken: `page-${page}` } : {}),
      })
      .resolves({
        events: events.slice(page * pageSize, (page + 1) * pageSize),
        ...(page < pages - 1 ? { nextToken: `page-${page + 1}` } : {}),
      });
  }
}

export function withExecution(sfn: Stub, saved: SavedHistory, events = saved.events) {
  const arn = executionArn(saved.execution.name);
  sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(described(saved));
  withHistory(sfn, arn, events);
  return arn;
}

/** An error as the SDK throws it for an AWS error response. */
export function serviceError(name: string, message: string): SFNServiceException {
  return new SFNServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type StartRequestV1, startRequestV1Schema } from '../../input/start-request.js';
import { consoleUrl, StepFunctions } from '../aws.js';
import { CliError } from '../errors.js';
import { follow, printEnd } from '../execution.js';
import type { CliIo } from '../io.js';
import { parseCommand, positionals } from '../options.js';

/** Which flag sets which field of the start input, so an error names what the operator typed. */
const FLAGS: Record<string, string> = {
  version: '(version)',
  mode: '--mode manual|planned',
  targetRegion: '--target REGION',
  reason: '--reason TEXT',
  requestedBy: '--requested-by WHO',
  dryRun: '--dry-run',
  safetyRulesToOverride: '--override-safety-rules ARN[,ARN]',
};

/** `manual-20261122T030000Z`: readable in the console's list, sortable, unique to the second. */
export function executionNameFor(request: StartRequestV1, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${request.mode}${request.dryRun ? '-dry-run' : ''}-${stamp}`;
}

/** The v1 start input, checked as NormalizeInput will check it; every bad field is named. */
export function startInput(values: Record<string, string | boolean | undefined>): StartRequestV1 {
  const input = {
    version: 1,
    mode: values.mode,
    targetRegion: values.target,
    reason: values.reason,
    requestedBy: values['requested-by'],
    ...(values['dry-run'] ? { dryRun: true } : {}),
    ...(typeof values['override-safety-rules'] === 'string'
      ? { safetyRulesToOverride: values['override-safety-rules'].split(',').map((arn) => arn.trim()) }
      : {}),
  };
  const parsed = startRequestV1Schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '(input)');
    const missing = input[field as keyof typeof input] === undefined;
    return `  - ${field} (${FLAGS[field] ?? field}): ${missing ? 'required' : issue.message}`;
  });
  throw new CliError(`the start input is invalid; nothing was sent:\n${lines.join('\n')}`, 2);
}

export async function start(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('start', argv, {
    mode: { type: 'string' },
    target: { type: 'string' },
    reason: { type: 'string' },
    'requested-by': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'override-safety-rules': { type: 'string' },
    wait: { type: 'boolean' },
  });
  positionals('start', given, []);
  const request = startInput(values);
  // The orchestrator that moves the service to a region runs in that region: during an outage
  // the other one may not answer.
  const sfn = new StepFunctions(io, values.region ? values : { ...values, region: request.targetRegion });
  if (values.region && values.region !== request.targetRegion) {
    io.err(
      `warning: starting in ${values.region}, not in the target ${request.targetRegion}: that orchestrator depends on ${values.region} staying up`,
    );
  }
  const stateMachineArn = await sfn.stateMachineArn();
  const name = executionNameFor(request, io.now());
  const started = await sfn.call(
    'StartExecution',
    async () => {
      // Same name and same input is the same start (Step Functions returns the running
      // execution); a second, different start within the same second gets a suffix.
      for (let attempt = 1; ; attempt++) {
        const candidate = attempt === 1 ? name : `${name}-${attempt}`;
        try {
          return await sfn.client.send(
            new StartExecutionCommand({ stateMachineArn, name: candidate, input: JSON.stringify(request) }),
          );
        } catch (error) {
          if ((error as Error).name !== 'ExecutionAlreadyExists' || attempt >= 5) throw error;
        }
      }
    },
    { execution: name },
  );
  const arn = started.executionArn ?? '';
  io.out(
    `Started ${arn.split(':').pop()} (${request.mode}${request.dryRun ? ', dry run' : ''} to ${request.targetRegion})`,
  );
  io.out(`  execution: ${arn}`);
  io.out(`  console:   ${consoleUrl(arn)}`);
  if (!values.wait) {
    io.out(`  follow:    failover status ${arn.split(':').pop()} --follow --region ${await sfn.region()}`);
    return 0;
  }
  io.out('');
  return printEnd(sfn, await follow(sfn, arn));
}

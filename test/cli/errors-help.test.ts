import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  type SFNClientConfig,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';
import { run, serviceError, withStateMachines } from './harness.js';

const VERBS = Object.keys(COMMANDS);

describe('the command line', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  describe('failover --help', () => {
    it('lists every command', async () => {
      const r = await run(['--help']);

      expect(r.code).toBe(0);
      expect(VERBS).toEqual([
        'start',
        'status',
        'approve',
        'reject',
        'stop',
        'unlock',
        'history',
        'report',
        'drill',
        'validate',
      ]);
      for (const verb of VERBS) expect(r.stdout).toMatch(new RegExp(`^ {2}${verb} `, 'm'));
    });

    it.each(VERBS)('%s --help prints its usage and calls nothing', async (verb) => {
      const r = await run([verb, '--help']);

      expect(r.code).toBe(0);
      expect(r.out[0]).toMatch(new RegExp(`^Usage: failover ${verb}\\b`));
      expect(sfn.calls()).toHaveLength(0);
    });

    it('an unknown command or option is one usage line, exit 2', async () => {
      expect((await run(['promote'])).err).toEqual([
        'failover promote: unknown command "promote": one of start, status, approve, reject, stop, unlock, history, report, drill, validate (see failover --help)',
      ]);
      const r = await run(['status', '--folow']);
      expect(r).toMatchObject({
        code: 2,
        err: ['failover status: unknown option --folow (see failover status --help)'],
      });
    });
  });

  describe('AWS options', () => {
    it('takes --region and --profile as the AWS CLI does: flag first, then the environment', async () => {
      const configs: SFNClientConfig[] = [];
      const sfnClient = (config: SFNClientConfig) => {
        configs.push(config);
        return new SFNClient(config);
      };
      withStateMachines(sfn);
      sfn.on(ListExecutionsCommand).resolves({ executions: [] });

      await run(['history', '--profile', 'ops', '--region', 'eu-west-1'], { sfnClient });
      await run(['history'], { sfnClient, env: { AWS_DEFAULT_REGION: 'eu-central-1' } });

      expect(configs).toEqual([{ region: 'eu-west-1', profile: 'ops' }, { region: 'eu-central-1' }]);
    });

    it('--state-machine skips the lookup by stage', async () => {
      sfn.on(ListExecutionsCommand).resolves({ executions: [] });
      const arn = 'arn:aws:states:us-west-2:123456789012:stateMachine:orders-failover';

      const r = await run(['history', '--state-machine', arn]);

      expect(sfn).not.toHaveReceivedCommand(ListStateMachinesCommand);
      expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: arn });
      expect(r.out).toEqual(['No executions of orders-failover in us-west-2.']);
    });
  });

  describe('failover errors', () => {
    it('no credentials: one line that says how to provide them, no stack trace', async () => {
      const noCredentials = new Error('Could not load credentials from any providers');
      noCredentials.name = 'CredentialsProviderError';
      sfn.on(ListStateMachinesCommand).rejects(noCredentials);

      const r = await run(['history']);

      expect(r.code).toBe(1);
      expect(r.err).toEqual([
        'failover history: no AWS credentials found: pass --profile NAME (after `aws sso login --profile NAME` for SSO), set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      ]);
    });

    it('--debug adds the stack trace', async () => {
      sfn.on(ListStateMachinesCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded'));

      const r = await run(['history', '--debug']);

      expect(r.err[0]).toBe(
        'failover history: states:ListStateMachines failed in us-west-2: ThrottlingException: Rate exceeded',
      );
      expect(r.stderr).toMatch(/caused by: ThrottlingException: Rate exceeded\n\s+at /);
    });

    it('unknown state machine: names it and the region', async () => {
      withStateMachines(sfn, ['failover-dev']);

      const r = await run(['status', '--stage', 'prod', '--region', 'eu-west-1']);

      expect(r).toMatchObject({
        code: 1,
        err: [
          'failover status: state machine failover-prod not found in eu-west-1: deploy the stage there, or pass --region, --stage or --state-machine',
        ],
      });
    });

    it('access denied: names the action and the principal', async () => {
      withStateMachines(sfn);
      sfn
        .on(StartExecutionCommand)
        .rejects(
          serviceError(
            'AccessDeniedException',
            'User: arn:aws:sts::123456789012:assumed-role/ReadOnly/jane is not authorized to perform: states:StartExecution on resource: arn:aws:states:us-west-2:123456789012:stateMachine:failover-dev because no identity-based policy allows the states:StartExecution action',
          ),
        );

      const r = await run([
        'start',
        '--mode',
        'manual',
        '--target',
        'us-west-2',
        '--reason',
        'drill',
        '--requested-by',
        'jane',
      ]);

      expect(r.err).toEqual([
        'failover start: access denied: arn:aws:sts::123456789012:assumed-role/ReadOnly/jane may not call states:StartExecution on arn:aws:states:us-west-2:123456789012:stateMachine:failover-dev (us-west-2); ask for it to be granted, or use another --profile',
      ]);
    });

    it('unknown execution: names it', async () => {
      sfn
        .on(DescribeExecutionCommand)
        .rejects(serviceError('ExecutionDoesNotExist', 'Execution Does Not Exist'));

      const r = await run([
        'report',
        'arn:aws:states:us-west-2:123456789012:execution:failover-dev:manual-20261122T030000Z',
      ]);

      expect(r.err).toEqual([
        'failover report: execution manual-20261122T030000Z not found in us-west-2 (state machine failover-dev)',
      ]);
    });
  });
});

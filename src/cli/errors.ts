/**
 * Errors the command line reports in one line on stderr. Exit status 1: the request could not
 * be done (AWS refused, not found); 2: the command line itself is wrong.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** What was being done when AWS answered with an error: it goes into the message. */
export interface AwsContext {
  /** IAM action, e.g. `states:StartExecution`. */
  action: string;
  region: string;
  stateMachine?: string;
  execution?: string;
}

const HOW_TO_GIVE_CREDENTIALS =
  'pass --profile NAME (after `aws sso login --profile NAME` for SSO), set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

/**
 * "User: arn:aws:sts::123456789012:assumed-role/Dev/jane is not authorized to perform:
 * states:StartExecution on resource: arn:..." -> the principal and the action.
 */
function accessDenied(message: string, context: AwsContext): string {
  const principal = /User: (\S+)/.exec(message)?.[1] ?? 'the caller';
  const action = /perform: (\S+)/.exec(message)?.[1] ?? context.action;
  const resource = /on resource: (\S+)/.exec(message)?.[1];
  return `access denied: ${principal} may not call ${action}${resource ? ` on ${resource}` : ''} (${context.region}); ask for it to be granted, or use another --profile`;
}

/** Turns an SDK error into one line that says what to do about it. */
export function explainAwsError(error: unknown, context: AwsContext): CliError {
  const e = error as { name?: string; message?: string; code?: string };
  const name = e.name ?? 'Error';
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  const line = (() => {
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
      return `no AWS credentials found: ${HOW_TO_GIVE_CREDENTIALS}`;
    }
    if (/Region is missing/i.test(message)) {
      return 'no AWS region: pass --region REGION, set AWS_REGION, or give the profile a region';
    }
    if (
      /^(ExpiredToken|ExpiredTokenException|UnrecognizedClientException|InvalidSignatureException)$/.test(
        name,
      )
    ) {
      return `AWS rejected the credentials (${name}): refresh them (aws sso login) or ${HOW_TO_GIVE_CREDENTIALS}`;
    }
    if (/AccessDenied/.test(name)) return accessDenied(message, context);
    if (name === 'StateMachineDoesNotExist') {
      return `state machine ${context.stateMachine ?? '(as given)'} not found in ${context.region}: deploy the stage there, or pass --region, --stage or --state-machine`;
    }
    if (name === 'ExecutionDoesNotExist') {
      return `execution ${context.execution ?? ''} not found in ${context.region}${context.stateMachine ? ` (state machine ${context.stateMachine})` : ''}`;
    }
    if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken') {
      return `the approval is no longer waiting (${name}): it was answered, timed out, or the execution ended`;
    }
    if (e.code === 'ENOTFOUND' || e.code === 'ECONNREFUSED' || name === 'TimeoutError') {
      return `cannot reach Step Functions in ${context.region}: ${message}`;
    }
    return `${context.action} failed in ${context.region}: ${name}: ${message}`;
  })();
  return new CliError(line, 1, { cause: error });
}

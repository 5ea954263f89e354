import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { attemptWithin, describeError } from '../aws/bounded.js';
import { registerClient } from '../aws/clients.js';
import type { HookPayload } from './payload.js';

// Only this module calls Lambda, so only the invoke-hook bundle carries its client.
registerClient('lambda', LambdaClient);

/** What one synchronous Invoke of a hook came to. */
export type InvokeResult =
  | { status: 'ok'; detail: string }
  | { status: 'failed'; detail: string }
  | { status: 'timed-out'; detail: string };

/** An answer or an error message is cut to this length: it travels in the execution state. */
const MAX_DETAIL_CHARS = 500;
const cut = (text: string) =>
  text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}...` : text;

function decode(payload: Uint8Array | undefined): string {
  if (!payload || payload.byteLength === 0) return '';
  return new TextDecoder().decode(payload);
}

/**
 * The error a function returned, from the payload Lambda sends with it: a JSON document
 * `{"errorType": ..., "errorMessage": ...}` (Lambda Developer Guide, "Lambda function errors in
 * Node.js"); anything else is shown as it came.
 */
function functionErrorOf(kind: string, body: string): string {
  try {
    const parsed = JSON.parse(body) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') {
      const type = typeof parsed.errorType === 'string' ? parsed.errorType : 'Error';
      return `${type}: ${parsed.errorMessage} (${kind})`;
    }
  } catch {
    // Not JSON: shown as it came.
  }
  return body === '' ? `function error (${kind})` : `${body} (${kind})`;
}

/**
 * Invokes `functionName` synchronously (InvocationType RequestResponse) and waits at most
 * `timeoutMs` for its answer, then aborts the request. Never throws: every outcome is a result.
 *
 * A function error is not an API error: Invoke answers 200 with the `X-Amz-Function-Error`
 * header (the SDK's `FunctionError`: Handled, or Unhandled for a crash or the function's own
 * timeout) and the error document as the payload (Lambda API Reference, Invoke, "Response
 * Elements"). API errors (ResourceNotFoundException, AccessDeniedException,
 * TooManyRequestsException, ...) mean the function did not run.
 *
 * A timed-out hook may still be running: Lambda has no way to cancel an invocation, and a
 * function runs until it returns or reaches its own configured timeout whatever the caller does.
 * The client makes one attempt (src/aws/clients.ts HOOK_CLIENT): a repeated Invoke would run it twice.
 */
/**
 * Checks, without running it, that `functionName` exists and that the caller may invoke it:
 * Invoke with InvocationType DryRun "validates parameter values and verifies that the user or
 * role has permission to invoke the function", answering 204 (Lambda API Reference, Invoke). Same
 * bound and permission (lambda:InvokeFunction) as a real invocation.
 */
export async function validateHook(
  client: LambdaClient,
  functionName: string,
  timeoutMs: number,
): Promise<InvokeResult> {
  const attempt = await attemptWithin(
    (abortSignal) =>
      client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'DryRun' }), {
        abortSignal,
      }),
    timeoutMs,
  );
  if (attempt.kind === 'silence')
    return {
      status: 'timed-out',
      detail: `Lambda did not answer a DryRun invocation within ${timeoutMs / 1000} s`,
    };
  if (attempt.kind === 'error') return { status: 'failed', detail: cut(describeError(attempt.error)) };
  return attempt.value.StatusCode === 204
    ? { status: 'ok', detail: 'exists and may be invoked (Invoke DryRun)' }
    : {
        status: 'failed',
        detail: `Invoke DryRun answered ${attempt.value.StatusCode ?? 'no status'}, not 204`,
      };
}

export async function invokeHook(
  client: LambdaClient,
  functionName: string,
  payload: HookPayload,
  timeoutMs: number,
): Promise<InvokeResult> {
  const attempt = await attemptWithin(
    (abortSignal) =>
      client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
        { abortSignal },
      ),
    timeoutMs,
  );
  if (attempt.kind === 'silence') {
    return {
      status: 'timed-out',
      detail: `no answer within ${timeoutMs / 1000} s; the function may still be running (Lambda cannot cancel an invocation): check its logs`,
    };
  }
  if (attempt.kind === 'error') return { status: 'failed', detail: cut(describeError(attempt.error)) };
  const output = attempt.value;
  const body = decode(output.Payload);
  if (output.FunctionError)
    return { status: 'failed', detail: cut(functionErrorOf(output.FunctionError, body)) };
  return {
    status: 'ok',
    detail: cut(body === '' || body === 'null' ? 'returned nothing' : `returned ${body}`),
  };
}

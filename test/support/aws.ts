/**
 * Helpers for tests that mock SDK clients with aws-sdk-client-mock: which region a call went
 * to, which commands were sent, and the answers a failed region gives.
 */

/** The region an SDK client was built for: pass `getClient()` in a fake, or a call's `thisValue`. */
export async function regionOf(client: unknown): Promise<string> {
  const region = (client as { config: { region: string | (() => Promise<string>) } }).config.region;
  return typeof region === 'function' ? region() : region;
}

/** The part of an aws-sdk-client-mock stub that records what was sent. */
interface RecordingMock {
  calls(): readonly { args: readonly unknown[] }[];
}

/** Names of every command sent through the mocks, e.g. `DescribeServicesCommand`. */
export function commandsSent(...mocks: RecordingMock[]): string[] {
  return mocks.flatMap((mock) => mock.calls().map((call) => (call.args[0] as object).constructor.name));
}

/** Describe*, List* and Get* calls read; anything else changes something in the account. */
export function mutatingCommandsSent(...mocks: RecordingMock[]): string[] {
  return commandsSent(...mocks).filter((name) => !/^(Describe|List|Get)/.test(name));
}

/** A region that does not answer: the call never settles. */
export function hang<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

interface ServiceExceptionOptions {
  name: string;
  message?: string;
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number };
}

/**
 * An error as the SDK throws it: `awsError(RDSServiceException, 'Throttling', 400)`; a 5xx status
 * is a server fault, anything else a client fault.
 */
export function awsError(
  Exception: new (options: ServiceExceptionOptions) => Error,
  name: string,
  httpStatusCode: number,
  message = `${name} (test)`,
): Error {
  return new Exception({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

import { describe, expect, it } from 'vitest';
import { CLIENT_TIMEOUTS, ClientRegistry } from '../../src/aws/clients.js';

/** The options a client's Node HTTP handler was built with. */
async function timeoutsOf(client: { config: { requestHandler?: unknown } }) {
  const handler = client.config.requestHandler as { configProvider?: Promise<Record<string, unknown>> };
  const config = await handler.configProvider;
  return { connectionTimeout: config?.connectionTimeout, requestTimeout: config?.requestTimeout };
}

describe('ClientRegistry', () => {
  it('bounds every client below the Lambda timeout: connection and request timeouts', async () => {
    const registry = new ClientRegistry();
    const regional = registry.forRegion('us-west-2');

    for (const client of [
      regional.rds,
      regional.ecs,
      regional.cloudwatch,
      regional.dynamodb,
      registry.route53(),
    ]) {
      expect(await timeoutsOf(client)).toEqual(CLIENT_TIMEOUTS);
    }
    // Three SDK attempts of a silent request still end inside a 60 s Lambda.
    expect(3 * CLIENT_TIMEOUTS.requestTimeout).toBeLessThan(60_000);
  });
});

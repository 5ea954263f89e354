import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it, vi } from 'vitest';
import { type ClientDecorator, ClientRegistry } from '../../src/aws/clients.js';

/**
 * ClientRegistry builds a client the first time it is read, from the class its service module
 * registered (test/setup.ts registers every one for the tests), and decorates clients built
 * after `decorate` too: the drill attaches the simulated cloud before any step runs.
 */
describe('ClientRegistry', () => {
  it('builds a client on first read, once per region and kind, and only the ones read', () => {
    const registry = new ClientRegistry();
    const built = vi.fn();
    registry.decorate((client) => built(client.constructor.name));
    const { rds } = registry.forRegion('us-west-2');
    expect(rds).toBeInstanceOf(RDSClient);
    expect(registry.forRegion('us-west-2').rds).toBe(rds);
    expect(registry.forRegion('us-east-1').rds).not.toBe(rds);
    expect(built.mock.calls).toEqual([['RDSClient'], ['RDSClient']]);
  });

  it('decorates the clients built before decorate and those built after it', async () => {
    const registry = new ClientRegistry();
    const early = registry.forRegion('us-west-2').rds;
    const seen: string[] = [];
    const decorator: ClientDecorator = (client) => {
      seen.push(client.constructor.name);
    };
    registry.decorate(decorator);
    const late = registry.forRegion('us-west-2').ecs;
    const route53 = registry.route53();
    expect(late).toBeInstanceOf(ECSClient);
    expect(seen).toEqual(['RDSClient', 'ECSClient', 'Route53Client']);
    expect(await early.config.region()).toBe('us-west-2');
    expect(await route53.config.region()).toBe('us-east-1');
  });

  it('drops its clients and decorators on reset', () => {
    const registry = new ClientRegistry();
    const seen = vi.fn();
    const before = registry.forRegion('us-west-2').rds;
    registry.decorate(seen);
    registry.reset();
    expect(registry.forRegion('us-west-2').rds).not.toBe(before);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('names the module to import when a kind was never registered', async () => {
    vi.resetModules();
    // A fresh copy of the module: nothing registered in it (test/setup.ts registered the other copy).
    const fresh = await import('../../src/aws/clients.js');
    const registry = new fresh.ClientRegistry();
    expect(() => registry.forRegion('us-west-2').ecs).toThrow(fresh.ClientNotRegisteredError);
    expect(() => registry.forRegion('us-west-2').ecs).toThrow(/import src\/aws\/ecs\.ts/);
    expect(() => registry.route53()).toThrow(/import src\/aws\/route53\.ts/);
    fresh.registerClient('ecs', ECSClient);
    expect(registry.forRegion('us-west-2').ecs).toBeInstanceOf(ECSClient);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { type DnsResolverLike, NodeDnsResolver } from '../../src/dns-answers/node-dns.js';

const NS = 'ns-1324.awsdns-37.org';
const NS_ADDRESS = '205.251.197.44';
const dnsError = (code: string) => Object.assign(new Error(`query ${code}`), { code });

/** A fake node:dns Resolver: the default one (no servers set) knows the name server's address. */
class FakeResolver implements DnsResolverLike {
  static created: FakeResolver[] = [];
  servers: string[] = [];
  cancelled = false;
  #pending: ((error: Error) => void)[] = [];

  constructor(
    readonly options: { timeout: number; tries: number },
    readonly answer: (resolver: FakeResolver, name: string, type: string) => Promise<string[]>,
  ) {
    FakeResolver.created.push(this);
  }

  setServers(servers: string[]) {
    this.servers = servers;
  }
  resolve4(name: string) {
    return this.#track(this.answer(this, name, 'A'));
  }
  resolve6(name: string) {
    return this.#track(this.answer(this, name, 'AAAA'));
  }
  resolveCname(name: string) {
    return this.#track(this.answer(this, name, 'CNAME'));
  }
  cancel() {
    this.cancelled = true;
    for (const reject of this.#pending) reject(dnsError('ECANCELLED'));
  }
  #track(answer: Promise<string[]>): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.#pending.push(reject);
      answer.then(resolve, reject);
    });
  }
}

/** The name server's address from the default resolver; `authoritative` answers queries sent to it. */
function adapter(authoritative: (name: string, type: string) => Promise<string[]>) {
  FakeResolver.created = [];
  const lookups = vi.fn(async () => [NS_ADDRESS]);
  const resolver = new NodeDnsResolver({
    timeoutMs: 700,
    tries: 3,
    createResolver: (options) =>
      new FakeResolver(options, (self, name, type) =>
        self.servers.length === 0 && name === NS ? lookups() : authoritative(name, type),
      ),
  });
  return { resolver, lookups };
}

describe('NodeDnsResolver', () => {
  it('asks the name server at its address, resolved once and kept', async () => {
    // Prepare
    const { resolver, lookups } = adapter(async () => ['orders-usw2-0987654321.us-west-2.elb.amazonaws.com']);

    // Act
    const first = await resolver.query(NS, 'api.orders.example.com.', 'CNAME');
    await resolver.query(`${NS}.`, 'api.orders.example.com.', 'CNAME');

    // Assess
    expect(first).toEqual(['orders-usw2-0987654321.us-west-2.elb.amazonaws.com']);
    expect(lookups).toHaveBeenCalledTimes(1);
    const queried = FakeResolver.created.filter((r) => r.servers.length > 0);
    expect(queried.map((r) => r.servers)).toEqual([[NS_ADDRESS], [NS_ADDRESS]]);
  });

  it('bounds every query with its timeout and tries, so none can hang', async () => {
    // Prepare
    const { resolver } = adapter(async () => ['192.0.2.10']);

    // Act
    await resolver.query(NS, 'api.orders.example.com.', 'A');

    // Assess
    for (const created of FakeResolver.created) expect(created.options).toEqual({ timeout: 700, tries: 3 });
  });

  it.each([
    ['A', 'resolve4'],
    ['AAAA', 'resolve6'],
    ['CNAME', 'resolveCname'],
  ] as const)('sends a %s query as %s', async (type, _method) => {
    // Prepare
    const asked: string[] = [];
    const { resolver } = adapter(async (_name, t) => {
      asked.push(t);
      return [];
    });

    // Act
    await resolver.query(NS, 'api.orders.example.com.', type);

    // Assess
    expect(asked).toEqual([type]);
  });

  it('uses a name server given as an address as is', async () => {
    // Prepare
    const { resolver, lookups } = adapter(async () => ['192.0.2.10']);

    // Act
    await resolver.query('205.251.192.1', 'api.orders.example.com.', 'A');

    // Assess
    expect(lookups).not.toHaveBeenCalled();
    expect(FakeResolver.created.map((r) => r.servers)).toEqual([['205.251.192.1']]);
  });

  it.each(['ENODATA', 'ENOTFOUND'])('answers nothing when the server says %s', async (code) => {
    // Prepare
    const { resolver } = adapter(() => Promise.reject(dnsError(code)));

    // Act
    const answer = await resolver.query(NS, 'api.orders.example.com.', 'CNAME');

    // Assess
    expect(answer).toEqual([]);
  });

  it('rejects when the server does not answer', async () => {
    // Prepare
    const { resolver } = adapter(() => Promise.reject(dnsError('ETIMEOUT')));

    // Act
    const query = resolver.query(NS, 'api.orders.example.com.', 'CNAME');

    // Assess
    await expect(query).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });

  it('cancels the query when the signal aborts', async () => {
    // Prepare
    const { resolver } = adapter(() => new Promise<string[]>(() => undefined));
    const controller = new AbortController();

    // Act
    const query = resolver.query(NS, 'api.orders.example.com.', 'CNAME', controller.signal);
    await vi.waitFor(() => expect(FakeResolver.created.some((r) => r.servers.length > 0)).toBe(true));
    controller.abort();

    // Assess
    await expect(query).rejects.toMatchObject({ code: 'ECANCELLED' });
    expect(FakeResolver.created.find((r) => r.servers.length > 0)?.cancelled).toBe(true);
  });

  it('does not start a query once the signal has aborted', async () => {
    // Prepare
    const { resolver, lookups } = adapter(async () => []);

    // Act
    const query = resolver.query(NS, 'api.orders.example.com.', 'CNAME', AbortSignal.abort());

    // Assess
    await expect(query).rejects.toThrow();
    expect(lookups).not.toHaveBeenCalled();
  });

  it('looks the name server up again after a failed lookup', async () => {
    // Prepare
    FakeResolver.created = [];
    let lookups = 0;
    const resolver = new NodeDnsResolver({
      createResolver: (options) =>
        new FakeResolver(options, async (self) => {
          if (self.servers.length > 0) return ['192.0.2.10'];
          lookups++;
          if (lookups === 1) throw dnsError('ETIMEOUT');
          return [NS_ADDRESS];
        }),
    });

    // Act
    const first = resolver.query(NS, 'api.orders.example.com.', 'A');
    await expect(first).rejects.toMatchObject({ code: 'ETIMEOUT' });
    const second = await resolver.query(NS, 'api.orders.example.com.', 'A');

    // Assess
    expect(second).toEqual(['192.0.2.10']);
    expect(lookups).toBe(2);
  });

  it('resolves a load balancer name with the default resolver for alias records', async () => {
    // Prepare
    FakeResolver.created = [];
    const resolver = new NodeDnsResolver({
      createResolver: (options) => new FakeResolver(options, async () => ['52.10.1.1', '52.10.2.2']),
    });

    // Act
    const addresses = await resolver.addresses('orders-usw2-0987654321.us-west-2.elb.amazonaws.com', 'A');

    // Assess
    expect(addresses).toEqual(['52.10.1.1', '52.10.2.2']);
    expect(FakeResolver.created.map((r) => r.servers)).toEqual([[]]);
  });
});

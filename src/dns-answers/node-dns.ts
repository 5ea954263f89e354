import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AuthoritativeResolver, DnsQueryType } from './resolver.js';

/** The part of node:dns's promise Resolver this adapter uses; tests pass a fake. */
export interface DnsResolverLike {
  setServers(servers: string[]): void;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolveCname(name: string): Promise<string[]>;
  cancel(): void;
}

export interface NodeDnsOptions {
  /** Per-try timeout in ms (c-ares doubles it on each retry). */
  timeoutMs?: number;
  /** Tries per query before it fails with ETIMEOUT. */
  tries?: number;
  createResolver?: (options: { timeout: number; tries: number }) => DnsResolverLike;
}

/**
 * 1 s then 2 s: a query gives up after about 3 s, well inside a step's 60 s Lambda timeout. A
 * Route 53 name server is anycast from the nearest edge location and answers in milliseconds.
 */
const DEFAULTS = { timeoutMs: 1000, tries: 2 };

/** "No such record" (NODATA) and "no such name" (NXDOMAIN) are answers: nothing is served. */
const EMPTY_ANSWER = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * Asks one name server directly with node:dns. `setServers` takes addresses only, so a name
 * server's host name is resolved first with the default (system) resolver and kept for the life
 * of the container: Route 53's name server addresses are anycast and do not change.
 *
 * One Resolver per query, so an abort cancels that query alone (`cancel()` cancels every query
 * of a resolver, with ECANCELLED).
 */
export class NodeDnsResolver implements AuthoritativeResolver {
  readonly #serverAddresses = new Map<string, Promise<string>>();
  readonly #options: { timeout: number; tries: number };
  readonly #create: (options: { timeout: number; tries: number }) => DnsResolverLike;

  constructor(options: NodeDnsOptions = {}) {
    this.#options = {
      timeout: options.timeoutMs ?? DEFAULTS.timeoutMs,
      tries: options.tries ?? DEFAULTS.tries,
    };
    this.#create = options.createResolver ?? ((o) => new Resolver(o));
  }

  async query(nameServer: string, name: string, type: DnsQueryType, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    const address = await this.#serverAddress(nameServer, signal);
    const resolver = this.#create(this.#options);
    resolver.setServers([address]);
    try {
      return await cancellable(resolver, signal, () => resolveType(resolver, name, type));
    } catch (error) {
      if (EMPTY_ANSWER.has((error as { code?: string }).code ?? '')) return [];
      throw error;
    }
  }

  async addresses(host: string, type: 'A' | 'AAAA', signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    const resolver = this.#create(this.#options);
    return cancellable(resolver, signal, () => resolveType(resolver, host, type));
  }

  #serverAddress(nameServer: string, signal?: AbortSignal): Promise<string> {
    const host = nameServer.replace(/\.$/, '');
    if (isIP(host) !== 0) return Promise.resolve(host);
    let address = this.#serverAddresses.get(host);
    if (!address) {
      const resolver = this.#create(this.#options);
      address = cancellable(resolver, signal, () => resolver.resolve4(host)).then((found) => {
        const first = found[0];
        if (!first) throw Object.assign(new Error(`name server ${host} has no address`), { code: 'ENODATA' });
        return first;
      });
      // A failed lookup is not kept: the next poll tries again.
      address.catch(() => this.#serverAddresses.delete(host));
      this.#serverAddresses.set(host, address);
    }
    return address;
  }
}

function resolveType(resolver: DnsResolverLike, name: string, type: DnsQueryType): Promise<string[]> {
  if (type === 'A') return resolver.resolve4(name);
  if (type === 'AAAA') return resolver.resolve6(name);
  return resolver.resolveCname(name);
}

/** Runs `work` on `resolver`, cancelling its queries when `signal` aborts. */
async function cancellable<T>(
  resolver: DnsResolverLike,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const cancel = () => resolver.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await work();
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

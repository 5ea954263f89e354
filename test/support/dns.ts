import type { AuthoritativeResolver, DnsQueryType } from '../../src/dns-answers/resolver.js';

/** A fake of the hosted zone's name servers: every query answers `value`, and is recorded. */
export interface FakeNameServers extends AuthoritativeResolver {
  readonly asked: { nameServer: string; name: string; type: DnsQueryType }[];
  /** From now on every query answers `value` (a CNAME target or an address). */
  answer(value: string): void;
}

export function fakeNameServers(value: string): FakeNameServers {
  let current = value;
  const asked: FakeNameServers['asked'] = [];
  return {
    asked,
    answer(next) {
      current = next;
    },
    async query(nameServer, name, type) {
      asked.push({ nameServer, name, type });
      return [current];
    },
  };
}

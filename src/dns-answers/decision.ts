import type { DnsRecordPlan } from '../plan/schema.js';

/**
 * Where a record's authoritative answers send clients. Pure: observe.ts asks the name servers,
 * this says what the answers mean.
 *
 * A weighted record set answers one record per query, chosen by weight, so each name server is
 * asked several times; one answer to the source among them means some clients still go there.
 * Every name server must answer: a resolver may ask any of the zone's servers, so one that was
 * not heard from may still send clients to the source.
 */

/**
 * target: every answer of every name server sends clients to the target, and only there.
 * source: some answers send clients to the source, none to the target.
 * both:   answers to the source and to the target.
 * unknown: nothing proves either: a server silent, empty answers, values of neither region.
 */
export type AnswersVerdict = 'target' | 'source' | 'both' | 'unknown';

/** What one name server answered to the queries it was sent. */
export interface NameServerAnswers {
  nameServer: string;
  /** One entry per answered query: the answer's values ([] for no such record). */
  answers: string[][];
  /** Queries it did not answer (timeout, refused). */
  failed: number;
}

export interface AnswersInput {
  record: DnsRecordPlan;
  servers: readonly NameServerAnswers[];
  /**
   * The values that send clients to each region: the plan's value, plus for an alias A/AAAA
   * record the addresses the load balancer's name resolves to.
   */
  source: readonly string[];
  target: readonly string[];
}

/** A record's answers, counted per answered query; compact enough for the state machine. */
export interface RecordAnswers {
  name: string;
  verdict: AnswersVerdict;
  /** Answers with a value of the target, of the source, of neither; and empty answers. */
  target: number;
  source: number;
  other: number;
  empty: number;
  /** Name servers that answered no query. */
  silent: string[];
  /** A few of the values that belong to neither region, for the operator. */
  unrecognised: string[];
}

const MAX_UNRECOGNISED = 3;

/** Answers come back lower-case or not, with or without the root dot; load balancers as `dualstack.`. */
export function sameDnsValue(a: string, b: string): boolean {
  const norm = (v: string) =>
    v
      .trim()
      .toLowerCase()
      .replace(/\.$/, '')
      .replace(/^dualstack\./, '');
  return norm(a) === norm(b);
}

export function judgeAnswers(input: AnswersInput): RecordAnswers {
  const { record, servers } = input;
  const isTarget = (v: string) => input.target.some((t) => sameDnsValue(t, v));
  const isSource = (v: string) => input.source.some((s) => sameDnsValue(s, v));
  const counts = { target: 0, source: 0, other: 0, empty: 0 };
  const unrecognised = new Set<string>();

  for (const server of servers) {
    for (const values of server.answers) {
      if (values.length === 0) counts.empty++;
      // An address both regions share (misconfiguration) counts for the source: it proves nothing moved.
      if (values.some(isSource)) counts.source++;
      else if (values.some(isTarget)) counts.target++;
      const strangers = values.filter((v) => !isSource(v) && !isTarget(v));
      if (strangers.length > 0) counts.other++;
      for (const v of strangers) if (unrecognised.size < MAX_UNRECOGNISED) unrecognised.add(v);
    }
  }
  const silent = servers.filter((s) => s.answers.length === 0).map((s) => s.nameServer);

  const verdict: AnswersVerdict =
    counts.source > 0 && counts.target > 0
      ? 'both'
      : counts.source > 0
        ? 'source'
        : counts.target > 0 &&
            counts.other === 0 &&
            counts.empty === 0 &&
            silent.length === 0 &&
            servers.length > 0
          ? 'target'
          : 'unknown';
  return { name: record.name, verdict, ...counts, silent, unrecognised: [...unrecognised] };
}

/** "api.orders.example.com. still sends clients to us-east-1 (0 answer(s) to us-west-2, 32 to us-east-1)". */
export function describeAnswers(answers: RecordAnswers, regions: { source: string; target: string }): string {
  const parts = [
    `${answers.target} answer(s) to ${regions.target}`,
    `${answers.source} to ${regions.source}`,
    ...(answers.other > 0 ? [`${answers.other} elsewhere: ${answers.unrecognised.join(', ')}`] : []),
    ...(answers.empty > 0 ? [`${answers.empty} empty`] : []),
    ...(answers.silent.length > 0 ? [`no answer from ${answers.silent.join(', ')}`] : []),
  ];
  const label = {
    target: `sends clients to ${regions.target} only`,
    source: `still sends clients to ${regions.source}`,
    both: `sends clients to both ${regions.source} and ${regions.target}`,
    unknown: 'answers nothing that shows where clients go',
  }[answers.verdict];
  return `${answers.name} ${label} (${parts.join(', ')})`;
}

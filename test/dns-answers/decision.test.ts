import { describe, expect, it } from 'vitest';
import {
  type AnswersVerdict,
  describeAnswers,
  judgeAnswers,
  type NameServerAnswers,
} from '../../src/dns-answers/decision.js';
import { apiRecord, USE1_ALB, USW2_ALB } from '../support/plan.js';

const SERVERS = [
  'ns-1324.awsdns-37.org',
  'ns-1822.awsdns-35.co.uk',
  'ns-392.awsdns-49.com',
  'ns-718.awsdns-25.net',
];
const regions = { source: 'us-east-1', target: 'us-west-2' };

/** Every name server answers `perServer` queries with these values, in turn. */
const everyServer = (...perServer: string[][]): NameServerAnswers[] =>
  SERVERS.map((nameServer) => ({ nameServer, answers: perServer, failed: 0 }));

const judge = (servers: NameServerAnswers[]) =>
  judgeAnswers({ record: apiRecord(), servers, source: [USE1_ALB], target: [USW2_ALB] });

describe('judgeAnswers', () => {
  it.each<[string, NameServerAnswers[], AnswersVerdict]>([
    ['every query of every server answers the target', everyServer([USW2_ALB], [USW2_ALB]), 'target'],
    [
      'answers differ only in case, root dot and dualstack prefix',
      everyServer([`dualstack.${USW2_ALB.toUpperCase()}.`]),
      'target',
    ],
    ['every server still answers the source', everyServer([USE1_ALB], [USE1_ALB]), 'source'],
    ['a weighted set answers the source once among the target', everyServer([USW2_ALB], [USE1_ALB]), 'both'],
    [
      'one server has not got the change yet',
      [
        ...everyServer([USW2_ALB]).slice(1),
        { nameServer: SERVERS[0] ?? '', answers: [[USE1_ALB]], failed: 0 },
      ],
      'both',
    ],
    [
      'one server does not answer at all',
      [...everyServer([USW2_ALB]).slice(1), { nameServer: SERVERS[0] ?? '', answers: [], failed: 8 }],
      'unknown',
    ],
    ['no server answers', SERVERS.map((nameServer) => ({ nameServer, answers: [], failed: 8 })), 'unknown'],
    ['the servers have no such record', everyServer([]), 'unknown'],
    ['the answers name neither region', everyServer(['maintenance.example.com']), 'unknown'],
    ['target and a stranger', everyServer([USW2_ALB], ['maintenance.example.com']), 'unknown'],
    ['no name server to ask', [], 'unknown'],
  ])('says %s: %s', (_case, servers, verdict) => {
    expect(judge(servers).verdict).toBe(verdict);
  });

  it('counts answers per query and names the silent servers and strangers', () => {
    // Prepare
    const servers: NameServerAnswers[] = [
      {
        nameServer: 'ns-1324.awsdns-37.org',
        answers: [[USW2_ALB], [USE1_ALB], ['other.example.com']],
        failed: 0,
      },
      { nameServer: 'ns-392.awsdns-49.com', answers: [], failed: 2 },
      { nameServer: 'ns-718.awsdns-25.net', answers: [[]], failed: 0 },
    ];

    // Act
    const answers = judge(servers);

    // Assess
    expect(answers).toEqual({
      name: 'api.orders.example.com.',
      verdict: 'both',
      target: 1,
      source: 1,
      other: 1,
      empty: 1,
      silent: ['ns-392.awsdns-49.com'],
      unrecognised: ['other.example.com'],
    });
  });

  it('recognises an alias record answering with the load balancer addresses', () => {
    // Act
    const answers = judgeAnswers({
      record: { ...apiRecord(), type: 'A' },
      servers: everyServer(['52.10.1.1', '52.10.2.2']),
      source: [USE1_ALB, '3.80.1.1'],
      target: [USW2_ALB, '52.10.1.1', '52.10.2.2'],
    });

    // Assess
    expect(answers.verdict).toBe('target');
  });

  it('describes where the answers send clients, for timelines and errors', () => {
    expect(describeAnswers(judge(everyServer([USE1_ALB], [USE1_ALB])), regions)).toBe(
      'api.orders.example.com. still sends clients to us-east-1 (0 answer(s) to us-west-2, 8 to us-east-1)',
    );
    expect(describeAnswers(judge(everyServer([USW2_ALB])), regions)).toBe(
      'api.orders.example.com. sends clients to us-west-2 only (4 answer(s) to us-west-2, 0 to us-east-1)',
    );
  });
});

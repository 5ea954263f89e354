import { readFileSync } from 'node:fs';
import type { Metafile } from 'esbuild';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_REGISTRARS, type ClientKind } from '../../src/aws/clients.js';
import { bundleMetafile, lambdaEntries } from '../support/lambda-bundles.js';

/**
 * Each Lambda bundle has exactly the SDK clients its step uses (src/aws/clients.ts): a client is
 * built from the class its service module registered (`registerClient`), so a function whose
 * code reads `clients.forRegion(r).rds` but does not bundle src/aws/rds.ts would fail in Lambda
 * only (the drill and the tests import every module). This builds every function's entry as
 * serverless-esbuild does (serverless.yml `custom.esbuild`, metafile only, nothing written) and
 * checks, per function, that every client kind its bundled sources read is registered by a
 * bundled module, and that it bundles no @aws-sdk client package it does not register.
 */

const entries = lambdaEntries();

const PACKAGE_OF: Record<ClientKind, string> = {
  rds: '@aws-sdk/client-rds',
  ecs: '@aws-sdk/client-ecs',
  autoscaling: '@aws-sdk/client-application-auto-scaling',
  cloudwatch: '@aws-sdk/client-cloudwatch',
  sfn: '@aws-sdk/client-sfn',
  dynamodb: '@aws-sdk/client-dynamodb',
  sns: '@aws-sdk/client-sns',
  eventbridge: '@aws-sdk/client-eventbridge',
  serviceQuotas: '@aws-sdk/client-service-quotas',
  route53: '@aws-sdk/client-route-53',
  routingControlCluster: '@aws-sdk/client-route53-recovery-cluster',
  lambda: '@aws-sdk/client-lambda',
};
const REGIONAL = new Set<string>([
  'rds',
  'ecs',
  'cloudwatch',
  'autoscaling',
  'sfn',
  'dynamodb',
  'sns',
  'serviceQuotas',
  'eventbridge',
]);
const ACCESSORS = new Set<string>(['route53', 'routingControlCluster', 'lambda']);

interface SourceFacts {
  /** Client kinds the file reads from a registry, with the line of the first read. */
  uses: Map<ClientKind, number>;
  /** Client kinds the file registers. */
  registers: Set<ClientKind>;
}

const facts = new Map<string, SourceFacts>();
/**
 * What one source file reads and registers: `x.rds` (any receiver: `forRegion(r).rds`,
 * `target.rds`), `{ ecs, autoscaling } = ...forRegion(...)`, `x.route53()`,
 * `x.routingControlCluster(...)`, and `registerClient('rds', ...)`.
 */
function sourceFacts(file: string): SourceFacts {
  const known = facts.get(file);
  if (known) return known;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: SourceFacts = { uses: new Map(), registers: new Set() };
  const use = (kind: string, node: ts.Node) => {
    if (!found.uses.has(kind as ClientKind)) {
      found.uses.set(kind as ClientKind, source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.expression.kind !== ts.SyntaxKind.ThisKeyword) {
      const name = node.name.text;
      if (REGIONAL.has(name)) use(name, node);
      if (ACCESSORS.has(name) && ts.isCallExpression(node.parent) && node.parent.expression === node) {
        use(name, node);
      }
    }
    if (
      ts.isBindingElement(node) &&
      ts.isVariableDeclaration(node.parent.parent) &&
      node.parent.parent.initializer?.getText(source).includes('forRegion(')
    ) {
      const name = (node.propertyName ?? node.name).getText(source);
      if (REGIONAL.has(name)) use(name, node);
    }
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'registerClient'
    ) {
      const [kind] = node.arguments;
      if (kind && ts.isStringLiteral(kind)) found.registers.add(kind.text as ClientKind);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  facts.set(file, found);
  return found;
}

const packageOf = (input: string) => /node_modules\/(@aws-sdk\/client-[^/]+)\//.exec(input)?.[1];

let metafile: Metafile;
beforeAll(async () => {
  metafile = await bundleMetafile(entries.map((e) => e.entry));
}, 60_000);

function bundleOf(entry: string) {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === entry);
  if (!output) throw new Error(`no output for ${entry}`);
  const inputs = Object.keys(output.inputs);
  const sources = inputs.filter(
    (i) => i.startsWith('src/') && i.endsWith('.ts') && i !== 'src/aws/clients.ts',
  );
  const registered = new Set(sources.flatMap((s) => [...sourceFacts(s).registers]));
  const uses = sources.flatMap((s) =>
    [...sourceFacts(s).uses].map(([kind, line]) => ({ kind, at: `${s}:${line}` })),
  );
  const packages = new Set(inputs.map(packageOf).filter((p): p is string => p !== undefined));
  const zodLocales = inputs.filter((i) => /node_modules\/zod\/v4\/locales\/(?!index)/.test(i));
  return { registered, uses, packages, zodLocales, registersAll: inputs.includes('src/aws/all-clients.ts') };
}

describe('Lambda bundles: only the SDK clients a step uses', () => {
  it('reads every function of serverless.yml', () => {
    expect(entries.length).toBeGreaterThan(20);
  });

  it.each(entries)('$name: every client its code reads is registered in its bundle', ({ entry }) => {
    const { registered, uses } = bundleOf(entry);
    const missing = uses
      .filter((u) => !registered.has(u.kind))
      .map((u) => `${u.at} reads ${u.kind}: import ${CLIENT_REGISTRARS[u.kind]}`);
    expect(missing).toEqual([]);
  });

  it.each(entries)('$name: bundles no SDK client package it does not register', ({ entry }) => {
    const { registered, packages, registersAll } = bundleOf(entry);
    expect(registersAll, 'src/aws/all-clients.ts is for tests and tools, never a handler').toBe(false);
    expect([...packages].sort()).toEqual([...new Set([...registered].map((k) => PACKAGE_OF[k]))].sort());
  });

  // `import { z } from 'zod'` is zod's whole namespace object to esbuild: every schema type, JSON
  // schema, and its 60-odd locales, ~370 kB more minified in every bundle. `import * as z from
  // 'zod'` shakes (`import type { z }` is fine: it is erased).
  it.each(entries)("$name: bundles zod's English messages only (import * as z from 'zod')", ({ entry }) => {
    expect(bundleOf(entry).zodLocales).toEqual(['node_modules/zod/v4/locales/en.js']);
  });

  it('normalizeInput bundles no SDK client at all; promoteDatabase no ECS, Route 53 or DynamoDB client', () => {
    expect([...bundleOf('src/handlers/normalize-input.ts').packages]).toEqual([]);
    const promote = bundleOf('src/handlers/promote-database.ts').packages;
    for (const pkg of ['@aws-sdk/client-ecs', '@aws-sdk/client-route-53', '@aws-sdk/client-sfn']) {
      expect(promote.has(pkg), pkg).toBe(false);
    }
  });

  it('only the steps that publish events bundle EventBridge; only the report bundles Powertools Metrics', () => {
    const bundling = (needle: string) =>
      Object.values(metafile.outputs)
        .filter((o) => o.entryPoint && Object.keys(o.inputs).some((i) => i.includes(needle)))
        .map((o) => o.entryPoint)
        .sort();
    expect(bundling('node_modules/@aws-sdk/client-eventbridge/')).toEqual([
      'src/handlers/acquire-lock.ts',
      'src/handlers/note-failure.ts',
      'src/handlers/report.ts',
      'src/handlers/request-approval.ts',
    ]);
    expect(bundling('node_modules/@aws-lambda-powertools/metrics/')).toEqual(['src/handlers/report.ts']);
  });
});

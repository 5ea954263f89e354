import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRIC_NAMES, METRIC_NAMESPACE } from '../../src/metrics/report-metrics.js';
import { OUTCOMES } from '../../src/report/types.js';

/**
 * The dashboard in serverless.yml reads exactly the metrics the report emits
 * (src/metrics/report-metrics.ts): renaming a metric, a dimension or the namespace breaks this
 * test before it leaves a widget empty in production.
 */
interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
const serverless = parse(readFileSync('serverless.yml', 'utf8')) as {
  resources: { Resources?: Record<string, Resource> }[];
};
const resources: Record<string, Resource> = Object.assign(
  {},
  ...serverless.resources.map((r) => r.Resources ?? {}),
);
const plan = JSON.parse(readFileSync('plans/dev.json', 'utf8')) as {
  name: string;
  regions: { primary: string; standby: string };
};

/** Fn::Sub as CloudFormation resolves it: the variable map, pseudo parameters, Ref and GetAtt. */
function substitute(sub: unknown): string {
  const [body, vars] = sub as [string, Record<string, string>];
  expect(typeof body).toBe('string');
  const known: Record<string, string> = {
    'AWS::Region': 'us-west-2',
    PlanName: plan.name,
    PrimaryRegion: plan.regions.primary,
    StandbyRegion: plan.regions.standby,
  };
  expect(Object.keys(vars).sort()).toEqual(['PlanName', 'PrimaryRegion', 'StandbyRegion']);
  return body.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (known[name] !== undefined) return known[name];
    const [resource, attribute] = name.split('.');
    const target = resources[resource ?? ''];
    if (!target) throw new Error(`Fn::Sub names \${${name}}, which is no resource of serverless.yml`);
    return `arn:aws:cloudwatch:us-west-2:123456789012:alarm:${resource}${attribute ? '' : '-ref'}`;
  });
}

interface Widget {
  type: string;
  properties: { metrics?: unknown[][]; alarms?: string[]; title?: string };
}
const dashboard = resources.FailoverDashboard;
if (!dashboard) throw new Error('serverless.yml has no FailoverDashboard resource');
const body = JSON.parse(
  substitute((dashboard.Properties.DashboardBody as { 'Fn::Sub': unknown })['Fn::Sub']),
) as {
  widgets: Widget[];
};
const metricWidgets = body.widgets.filter((w) => w.type === 'metric');
/** Every [namespace, name, dim, value, ...] line of every metric widget. */
const lines = metricWidgets.flatMap((w) =>
  (w.properties.metrics ?? []).filter((m) => typeof m[0] === 'string'),
);
const dims = (line: unknown[]) => {
  const pairs = line.slice(2).filter((x) => typeof x === 'string') as string[];
  return Object.fromEntries(pairs.flatMap((_, i) => (i % 2 === 0 ? [[pairs[i], pairs[i + 1]]] : [])));
};

describe('FailoverDashboard', () => {
  it('is an AWS::CloudWatch::Dashboard whose body is JSON with metric and alarm widgets', () => {
    expect(dashboard?.Type).toBe('AWS::CloudWatch::Dashboard');
    expect(metricWidgets.length).toBeGreaterThanOrEqual(5);
    expect(body.widgets.some((w) => w.type === 'alarm')).toBe(true);
  });

  it('reads only metrics the report emits, in its namespace, for the plan', () => {
    const emitted = new Set<string>(Object.values(METRIC_NAMES));
    for (const line of lines) {
      expect(line[0]).toBe(METRIC_NAMESPACE);
      expect(emitted.has(line[1] as string), String(line[1])).toBe(true);
      expect(dims(line).Plan).toBe(plan.name);
    }
  });

  it.each([
    [METRIC_NAMES.rto, 'Outcome'],
    [METRIC_NAMES.userFacingRto, 'Outcome'],
    [METRIC_NAMES.rpo, 'Outcome'],
    [METRIC_NAMES.executions, 'Outcome'],
    [METRIC_NAMES.ready, 'TargetRegion'],
  ])('shows %s with the dimensions it is emitted with (Plan, %s)', (name, second) => {
    const shown = lines.filter((l) => l[1] === name);
    expect(shown.length).toBeGreaterThan(0);
    for (const line of shown) expect(Object.keys(dims(line)).sort()).toEqual(['Plan', second].sort());
  });

  it('counts executions of every outcome, and Ready of both regions', () => {
    const outcomes = lines.filter((l) => l[1] === METRIC_NAMES.executions).map((l) => dims(l).Outcome);
    expect([...outcomes].sort()).toEqual([...OUTCOMES].sort());
    const ready = lines.filter((l) => l[1] === METRIC_NAMES.ready).map((l) => dims(l).TargetRegion);
    expect(ready).toEqual([plan.regions.primary, plan.regions.standby]);
  });

  it('searches step durations by the Step dimension', () => {
    const expressions = metricWidgets.flatMap((w) =>
      (w.properties.metrics ?? []).flatMap((m) =>
        m.flatMap((x) => (typeof x === 'object' && x && 'expression' in x ? [String(x.expression)] : [])),
      ),
    );
    expect(expressions).toContainEqual(
      `SEARCH('{${METRIC_NAMESPACE},Plan,Step} MetricName="${METRIC_NAMES.stepDuration}" Plan="${plan.name}"', 'Maximum', 60)`,
    );
  });

  it("shows every one of the orchestrator's own alarms", () => {
    const alarms = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id]) => `arn:aws:cloudwatch:us-west-2:123456789012:alarm:${id}`);
    const shown = body.widgets.flatMap((w) => w.properties.alarms ?? []);
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    expect([...shown].sort()).toEqual([...alarms].sort());
  });
});

/**
 * Checks what `osls package` built (the last step of `npm run package`): the CloudFormation
 * template has the state machine (its definition the ASL file as it is, its role allowed to
 * invoke every function the file names), one function per step, the trigger rule with the
 * plan's alarm names and its dead-letter queue, the readiness schedule with a valid start input,
 * the lock table, the approval topic grant exactly when the plan names a topic, and the
 * orchestrator's own alarms; every function zip carries its bundle and the stage's plan and holds
 * at most 1,000,000 bytes unpacked (sizes printed); and the packaged normalizeInput bundle, run
 * from an unpacked zip laid out like /var/task, loads that plan, and an error it throws keeps its
 * name and maps back to its src/*.ts line.
 *
 * Too slow for the unit suite (it needs a packaging run); the wiring it checks is exactly what a
 * unit test of serverless.yml cannot see (plugins, variable resolution, serverless-esbuild).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { LOCK_TABLE_ENV } from '../src/aws/lock.js';
import { AUDIT_TTL_ATTRIBUTE } from '../src/aws/lock-operator.js';
import { readZipEntries } from '../src/bench/zip.js';
import { EVENT_SOURCE } from '../src/events/detail.js';
import { stepHandlers } from '../src/handlers/index.js';
import { startRequestV1Schema } from '../src/input/start-request.js';
import { METRIC_NAMESPACE } from '../src/metrics/report-metrics.js';
import { formatIssues, loadPlanFile } from '../src/plan/load.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
const outDir = join(repoRoot, '.serverless');
const LAMBDA_TASK_ROOT = '/var/task';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
}
interface Template {
  Resources: Record<string, Resource>;
}
interface ServerlessState {
  service: {
    service: string;
    provider: { stage: string; region: string };
    functions: Record<string, { handler: string; name: string; package: { artifact: string } }>;
  };
}

const problems: string[] = [];
function check(ok: boolean, problem: string): void {
  if (!ok) problems.push(problem);
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new Error(`cannot read ${file} (run npm run package first): ${(error as Error).message}`);
  }
}

const sameSet = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
/** The statements of a role's inline policies. */
function roleStatements(roleId: string): Statement[] {
  const policies = (template.Resources[roleId]?.Properties.Policies ?? []) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}
/** The logical id a `{"Fn::GetAtt": [id, "Arn"]}` names. */
const getAttId = (value: unknown) =>
  (value as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0] ?? '';

/** Every entry of a zip, unpacked (src/bench/zip.ts reads the central directory). */
function readZip(file: string): Map<string, Buffer> {
  return new Map(readZipEntries(file).map((e) => [e.name, e.data()]));
}

const template = readJson<Template>(join(outDir, 'cloudformation-template-update-stack.json'));
const state = readJson<ServerlessState>(join(outDir, 'serverless-state.json'));
const { stage, region } = state.service.provider;
const planFile = `plans/${stage}.json`;
const plan = loadPlanFile(join(repoRoot, planFile));
const planText = readFileSync(join(repoRoot, planFile), 'utf8');

const resources = Object.entries(template.Resources);
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const counts = new Map<string, number>();
for (const [, r] of resources) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);

// State machine.
const machines = ofType('AWS::StepFunctions::StateMachine');
check(machines.length === 1, `expected 1 AWS::StepFunctions::StateMachine, found ${machines.length}`);
const [machineId, machine] = machines[0] ?? ['', { Type: '', Properties: {} }];
const machineProps = machine.Properties as {
  StateMachineName?: string;
  StateMachineType?: string;
  LoggingConfiguration?: { Level?: string; IncludeExecutionData?: boolean; Destinations?: unknown[] };
  TracingConfiguration?: { Enabled?: boolean };
};
check(
  machineProps.StateMachineName === `failover-${stage}`,
  `state machine name is ${machineProps.StateMachineName}`,
);
check(machineProps.StateMachineType === 'STANDARD', `state machine type is ${machineProps.StateMachineType}`);
check(
  machineProps.LoggingConfiguration?.Level === 'ALL' &&
    machineProps.LoggingConfiguration.IncludeExecutionData === true &&
    (machineProps.LoggingConfiguration.Destinations?.length ?? 0) === 1,
  'state machine logging is not ALL with execution data to one log group',
);
check(machineProps.TracingConfiguration?.Enabled === true, 'state machine tracing is off');

// The failover lock's table: this region's, kept when the stack goes, and no TTL
// (docs/design-notes.md, "The failover lock": deleting the item ends a cool-down and restarts the token).
const tables = ofType('AWS::DynamoDB::Table');
check(tables.length === 1, `expected 1 AWS::DynamoDB::Table, found ${tables.length}`);
const [lockTableId, lockTable] = tables[0] ?? ['', { Type: '', Properties: {} }];
const lockTableProps = lockTable.Properties as {
  TableName?: string;
  BillingMode?: string;
  KeySchema?: { AttributeName: string; KeyType: string }[];
  AttributeDefinitions?: { AttributeName: string; AttributeType: string }[];
  PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean };
  TimeToLiveSpecification?: { Enabled?: boolean; AttributeName?: string };
};
check(
  lockTableProps.TableName === `failover-locks-${stage}`,
  `lock table name is ${lockTableProps.TableName}`,
);
check(
  lockTableProps.BillingMode === 'PAY_PER_REQUEST',
  `lock table billing is ${lockTableProps.BillingMode}`,
);
check(
  JSON.stringify(lockTableProps.KeySchema) === JSON.stringify([{ AttributeName: 'plan', KeyType: 'HASH' }]) &&
    JSON.stringify(lockTableProps.AttributeDefinitions) ===
      JSON.stringify([{ AttributeName: 'plan', AttributeType: 'S' }]),
  'lock table key is not plan (S) alone',
);
check(
  lockTableProps.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true,
  'lock table has no point-in-time recovery',
);
check(lockTable.DeletionPolicy === 'Retain', `lock table DeletionPolicy is ${lockTable.DeletionPolicy}`);
check(
  lockTableProps.TimeToLiveSpecification?.Enabled !== true ||
    lockTableProps.TimeToLiveSpecification.AttributeName === AUDIT_TTL_ATTRIBUTE,
  `lock table TTL reads ${lockTableProps.TimeToLiveSpecification?.AttributeName}: only the audit items' ${AUDIT_TTL_ATTRIBUTE} may expire, a lock's would end a cool-down early (docs/design-notes.md)`,
);
const lambdaRoleStatements = roleStatements('IamRoleLambdaExecution');
const lockGrants = lambdaRoleStatements.filter((st) => JSON.stringify(st).includes('dynamodb:'));
check(
  lockGrants.length === 1 &&
    sameSet(asArray(lockGrants[0]?.Action), [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]) &&
    JSON.stringify(lockGrants[0]?.Resource) === JSON.stringify({ 'Fn::GetAtt': [lockTableId, 'Arn'] }),
  `the functions' DynamoDB grant is not exactly GetItem, UpdateItem and DeleteItem on ${lockTableId}`,
);

// Functions: one per step, each zip with its bundle and the stage's plan.
const functions = ofType('AWS::Lambda::Function');
const stepNames = Object.keys(stepHandlers);
check(
  functions.length === stepNames.length,
  `expected ${stepNames.length} AWS::Lambda::Function (src/handlers/index.ts), found ${functions.length}`,
);
check(
  sameSet(Object.keys(state.service.functions), stepNames),
  `packaged functions ${Object.keys(state.service.functions).join(', ')} differ from src/handlers/index.ts`,
);
const expectedPlanPath = `${LAMBDA_TASK_ROOT}/${planFile}`;
/**
 * The most a function's zip may hold unpacked, every entry counted (bundle, source map, plan):
 * cold starts read and parse all of it (the .map too, with --enable-source-maps).
 */
const MAX_UNZIPPED_BYTES = 1_000_000;
const unzippedSizes: { name: string; files: [string, number][] }[] = [];
for (const [name, fn] of Object.entries(state.service.functions)) {
  const resource = functions.find(([, r]) => r.Properties.FunctionName === fn.name)?.[1];
  if (!resource) {
    problems.push(`function ${name}: no AWS::Lambda::Function named ${fn.name}`);
    continue;
  }
  const props = resource.Properties as {
    Runtime?: string;
    Architectures?: string[];
    MemorySize?: number;
    Timeout?: number;
    Environment?: { Variables?: Record<string, unknown> };
  };
  check(props.Runtime === 'nodejs22.x', `function ${name}: runtime ${props.Runtime}`);
  check(props.Architectures?.[0] === 'arm64', `function ${name}: architecture ${props.Architectures}`);
  check(
    props.MemorySize === 256 && props.Timeout === 60,
    `function ${name}: ${props.MemorySize} MB, ${props.Timeout} s`,
  );
  const env = props.Environment?.Variables ?? {};
  check(
    env.FAILOVER_PLAN_FILE === expectedPlanPath,
    `function ${name}: FAILOVER_PLAN_FILE is ${env.FAILOVER_PLAN_FILE}`,
  );
  check(
    JSON.stringify(env[LOCK_TABLE_ENV]) === JSON.stringify({ Ref: lockTableId }),
    `function ${name}: ${LOCK_TABLE_ENV} is ${JSON.stringify(env[LOCK_TABLE_ENV])}, not the lock table`,
  );
  // Lambda's limit is 4 KB for all variables together. An intrinsic counts as its JSON, which is
  // longer than the name it resolves to here.
  const envBytes = Object.entries(env).reduce(
    (n, [k, v]) =>
      n + Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v)),
    0,
  );
  check(envBytes < 4096, `function ${name}: environment is ${envBytes} bytes (Lambda allows 4 KB)`);

  const entries = readZip(join(repoRoot, fn.package.artifact));
  unzippedSizes.push({ name, files: [...entries].map(([file, data]) => [file, data.length]) });
  const bundle = `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.mjs`;
  check(entries.has(bundle), `function ${name}: ${fn.package.artifact} has no ${bundle}`);
  check(
    entries.get(planFile)?.toString('utf8') === planText,
    `function ${name}: ${fn.package.artifact} does not carry ${planFile} as it is in the repository`,
  );
}

// The definition is the ASL file as it is: serverless-step-functions only swaps each
// `{"Fn::GetAtt": [<function>, "Arn"]}` (Resource or Parameters.FunctionName) for a `${...}`
// placeholder of Fn::Sub. Put back, with function names as logical ids, the two must be equal.
const functionIds = new Map(
  Object.entries(state.service.functions).map(([name, fn]) => [
    name,
    functions.find(([, r]) => r.Properties.FunctionName === fn.name)?.[0],
  ]),
);
const aslFunctions = new Set<string>();
function withLogicalIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withLogicalIds);
  if (value === null || typeof value !== 'object') return value;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2 && getAtt[1] === 'Arn') {
    const name = String(getAtt[0]);
    aslFunctions.add(name);
    return { 'Fn::GetAtt': [functionIds.get(name) ?? `(no function ${name})`, 'Arn'] };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withLogicalIds(v)]));
}
function packagedDefinition(definition: unknown): unknown {
  if (typeof definition === 'string') return JSON.parse(definition);
  const sub = (definition as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  const [text, params] = Array.isArray(sub)
    ? [String(sub[0]), sub[1] as Record<string, unknown>]
    : [String(sub), {} as Record<string, unknown>];
  const restored = text.replace(/"\$\{([^}]+)\}"/g, (whole, key: string) =>
    key in params ? JSON.stringify(params[key]) : whole,
  );
  return JSON.parse(restored);
}
const aslFile = 'statemachines/failover.asl.json';
const expectedDefinition = withLogicalIds(JSON.parse(readFileSync(join(repoRoot, aslFile), 'utf8')));
let deployedDefinition: unknown;
try {
  deployedDefinition = packagedDefinition(machine.Properties.DefinitionString);
} catch (error) {
  problems.push(`state machine definition cannot be read back: ${(error as Error).message}`);
}
check(
  isDeepStrictEqual(deployedDefinition, expectedDefinition),
  `the packaged state machine definition differs from ${aslFile}`,
);
check(
  sameSet([...aslFunctions], stepNames),
  `${aslFile} names functions ${[...aslFunctions].sort().join(', ')}; src/handlers/index.ts has ${stepNames.join(', ')}`,
);
// Lambda tasks, the `.waitForTaskToken` one included, run with the state machine's role.
const machineRoleId = getAttId(machine.Properties.RoleArn);
const invokable = JSON.stringify(
  roleStatements(machineRoleId)
    .filter((st) => st.Effect === 'Allow' && asArray(st.Action).includes('lambda:InvokeFunction'))
    .map((st) => st.Resource),
);
for (const name of aslFunctions) {
  check(
    invokable.includes(JSON.stringify({ 'Fn::GetAtt': [functionIds.get(name), 'Arn'] })),
    `state machine role ${machineRoleId} may not invoke ${name}`,
  );
}

/** Whether the role an EventBridge target assumes may start the state machine. */
function mayStartMachine(roleArn: unknown): boolean {
  return roleStatements(getAttId(roleArn)).some(
    (st) =>
      st.Effect === 'Allow' &&
      asArray(st.Action).includes('states:StartExecution') &&
      JSON.stringify(st.Resource) === JSON.stringify({ Ref: machineId }),
  );
}

// Trigger rule, its dead-letter queue and retry policy.
const rules = ofType('AWS::Events::Rule');
const triggerRules = rules.filter(([, r]) => r.Properties.EventPattern !== undefined);
const scheduleRules = rules.filter(([, r]) => r.Properties.ScheduleExpression !== undefined);
check(
  rules.length === 2 && triggerRules.length === 1 && scheduleRules.length === 1,
  `expected 2 AWS::Events::Rule (the trigger and the readiness schedule), found ${rules.length}`,
);
const [ruleId, rule] = triggerRules[0] ?? ['', { Type: '', Properties: {} }];
const ruleProps = rule.Properties as {
  EventPattern?: {
    source?: string[];
    'detail-type'?: string[];
    detail?: { alarmName?: string[]; state?: { value?: string[] } };
  };
  Targets?: {
    Arn?: unknown;
    RoleArn?: unknown;
    DeadLetterConfig?: { Arn?: unknown };
    RetryPolicy?: unknown;
  }[];
};
const pattern = ruleProps.EventPattern;
check(sameSet(pattern?.source ?? [], ['aws.cloudwatch']), 'rule source is not aws.cloudwatch');
check(
  sameSet(pattern?.['detail-type'] ?? [], ['CloudWatch Alarm State Change']),
  'rule detail-type is not CloudWatch Alarm State Change',
);
check(
  sameSet(pattern?.detail?.alarmName ?? [], plan.triggers.alarmNames),
  `rule alarm names ${JSON.stringify(pattern?.detail?.alarmName)} differ from ${planFile} triggers.alarmNames ${JSON.stringify(plan.triggers.alarmNames)}`,
);
check(sameSet(pattern?.detail?.state?.value ?? [], ['ALARM']), 'rule does not match state ALARM only');
const target = ruleProps.Targets?.[0];
check(
  JSON.stringify(target?.Arn) === JSON.stringify({ Ref: machineId }),
  'rule target is not the state machine',
);
check(target?.RetryPolicy !== undefined, 'rule target has no retry policy');
check(target?.RoleArn !== undefined, 'rule target has no role');
const dlq = ofType('AWS::SQS::Queue')[0];
check(
  dlq !== undefined &&
    JSON.stringify(target?.DeadLetterConfig?.Arn) === JSON.stringify({ 'Fn::GetAtt': [dlq[0], 'Arn'] }),
  'rule target has no dead-letter queue',
);
// The queue policy names the rule by logical id (serverless-step-functions chooses it).
const queuePolicy = JSON.stringify(ofType('AWS::SQS::QueuePolicy')[0]?.[1] ?? {});
check(
  queuePolicy.includes(JSON.stringify({ 'Fn::GetAtt': [ruleId, 'Arn'] })),
  `the dead-letter queue's policy does not let rule ${ruleId} send to it`,
);
check(
  mayStartMachine(target?.RoleArn),
  `rule role ${getAttId(target?.RoleArn)} cannot start the state machine`,
);

// The readiness schedule: a dry run into this region, with an input the start contract accepts.
const [scheduleId, schedule] = scheduleRules[0] ?? ['', { Type: '', Properties: {} }];
const scheduleProps = schedule.Properties as {
  ScheduleExpression?: string;
  State?: string;
  Targets?: { Arn?: unknown; RoleArn?: unknown; Input?: string }[];
};
check(
  scheduleProps.ScheduleExpression === 'rate(30 minutes)' && scheduleProps.State === 'ENABLED',
  `schedule ${scheduleId} is ${scheduleProps.ScheduleExpression} (${scheduleProps.State}), not rate(30 minutes)`,
);
const scheduleTarget = scheduleProps.Targets?.[0];
check(
  scheduleProps.Targets?.length === 1 &&
    JSON.stringify(scheduleTarget?.Arn) === JSON.stringify({ Ref: machineId }),
  `schedule ${scheduleId} does not target the state machine`,
);
check(
  mayStartMachine(scheduleTarget?.RoleArn),
  `schedule role ${getAttId(scheduleTarget?.RoleArn)} cannot start the state machine`,
);
let scheduleInput: unknown;
try {
  scheduleInput = JSON.parse(scheduleTarget?.Input ?? '');
} catch {
  problems.push(`schedule ${scheduleId} input is not JSON: ${scheduleTarget?.Input}`);
}
const startRequest = startRequestV1Schema.safeParse(scheduleInput);
if (!startRequest.success) {
  problems.push(
    `schedule ${scheduleId} input is not a start request (src/input/start-request.ts): ${formatIssues(startRequest.error.issues).join('; ')}`,
  );
} else {
  check(
    startRequest.data.targetRegion === region && startRequest.data.dryRun === true,
    `schedule ${scheduleId} input is not a dry run into ${region}: ${scheduleTarget?.Input}`,
  );
}

// sns:Publish for request-approval: on the plan's approval topic, and on nothing without one.
const lambdaPolicies = ofType('AWS::IAM::Policy').filter(([, r]) =>
  JSON.stringify(r.Properties.Roles ?? []).includes(JSON.stringify({ Ref: 'IamRoleLambdaExecution' })),
);
const publishGrants = [
  ...lambdaRoleStatements,
  ...lambdaPolicies.flatMap(
    ([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
  ),
].filter((st) => JSON.stringify(st.Action ?? '').includes('sns:'));
const topicArn = plan.approval.topicArn;
check(
  JSON.stringify(publishGrants.map((st) => [st.Effect, st.Action, st.Resource])) ===
    JSON.stringify(topicArn ? [['Allow', ['sns:Publish'], [topicArn]]] : []),
  topicArn
    ? `the functions' SNS grants are ${JSON.stringify(publishGrants)}, not sns:Publish on ${topicArn} alone (approval.topicArn in ${planFile})`
    : `${planFile} names no approval topic, yet the functions are granted ${JSON.stringify(publishGrants)}`,
);

// The orchestrator's own alarms, all to the alerts topic.
const topics = ofType('AWS::SNS::Topic');
check(
  topics.length === 1 && topics[0]?.[1].Properties.TopicName === `failover-${stage}-alerts`,
  `expected the SNS topic failover-${stage}-alerts`,
);
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
for (const metric of [
  'ExecutionsFailed',
  'ExecutionsTimedOut',
  'ApproximateNumberOfMessagesVisible',
  'Ready',
]) {
  const alarm = alarms.find((a) => a.MetricName === metric);
  check(alarm !== undefined, `no alarm on ${metric}`);
  check(
    JSON.stringify(alarm?.AlarmActions) === JSON.stringify([{ Ref: topics[0]?.[0] }]),
    `alarm on ${metric} does not notify the alerts topic`,
  );
}

// Standby not ready: the Ready metric the scheduled dry runs report, for this plan and region;
// an hour without a run that found it ready (no run at all included) alarms.
const ready = alarms.find((a) => a.MetricName === 'Ready');
check(
  ready?.Namespace === METRIC_NAMESPACE &&
    JSON.stringify(ready?.Dimensions) ===
      JSON.stringify([
        { Name: 'Plan', Value: plan.name },
        { Name: 'TargetRegion', Value: region },
      ]),
  `alarm on Ready does not watch ${METRIC_NAMESPACE} Ready for Plan=${plan.name}, TargetRegion=${region}`,
);
check(
  ready?.Statistic === 'Minimum' &&
    ready.Period === 1800 &&
    ready.EvaluationPeriods === 2 &&
    ready.Threshold === 1 &&
    ready.ComparisonOperator === 'LessThanThreshold' &&
    ready.TreatMissingData === 'breaching',
  'alarm on Ready is not: Minimum < 1 for 2 periods of 30 minutes, missing data breaching',
);

// Metrics are EMF log lines (src/metrics/emf.ts): no function may call PutMetricData. Events go
// to this region's default bus only, under the product's own source.
const lambdaRole = JSON.stringify(template.Resources.IamRoleLambdaExecution ?? {});
check(
  !lambdaRole.includes('cloudwatch:PutMetricData'),
  'the functions may call cloudwatch:PutMetricData: the report emits EMF (src/metrics/emf.ts)',
);
const putEvents = (
  (
    template.Resources.IamRoleLambdaExecution?.Properties as {
      Policies?: { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
    }
  )?.Policies ?? []
)
  .flatMap((p) => p.PolicyDocument.Statement)
  .filter((s) => JSON.stringify(s.Action).includes('events:PutEvents'));
check(
  putEvents.length === 1 &&
    JSON.stringify(putEvents[0]?.Resource).includes(':event-bus/default') &&
    JSON.stringify(putEvents[0]?.Condition) ===
      JSON.stringify({ StringEquals: { 'events:source': EVENT_SOURCE } }),
  `events:PutEvents is not limited to this region's default bus and source ${EVENT_SOURCE} (src/events/detail.ts)`,
);

// The packaged bundle, unpacked as Lambda does, finds and loads the packaged plan; and an error it
// throws keeps its class name (Retry and Catch match on it) and, through the packaged source map
// (NODE_OPTIONS=--enable-source-maps, as serverless.yml sets it), names its src/*.ts line.
function smokeTest(): void {
  const fn = state.service.functions.normalizeInput;
  if (!fn) return;
  const taskRoot = mkdtempSync(join(tmpdir(), 'failover-task-'));
  try {
    for (const [name, data] of readZip(join(repoRoot, fn.package.artifact))) {
      mkdirSync(dirname(join(taskRoot, name)), { recursive: true });
      writeFileSync(join(taskRoot, name), data);
    }
    const bundle = join(taskRoot, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.mjs`);
    const invoke = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const input = { version: 1, mode: 'manual', targetRegion: process.env.AWS_REGION, reason: 'package check', requestedBy: 'check-package' };
      const out = await handler({ input, executionName: 'check-package', executionStartedAt: new Date().toISOString() }, {});
      const error = await handler({ input: 'not a start request' }, {}).then(() => null, (e) => e);
      const frame = error?.stack?.split('\\n').find((line) => line.trim().startsWith('at '))?.trim();
      process.stdout.write('\\n' + JSON.stringify({ request: out.request, error: { name: error?.name, frame } }) + '\\n');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', invoke], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        FAILOVER_PLAN_FILE: expectedPlanPath.replace(LAMBDA_TASK_ROOT, taskRoot),
        AWS_REGION: plan.regions.standby,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeout: 30_000,
    });
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    let result: { request?: { planName?: string }; error?: { name?: string; frame?: string } } = {};
    try {
      result = JSON.parse(last);
    } catch {
      // reported below with the process output
    }
    check(
      run.status === 0 && result.request?.planName === plan.name,
      `packaged normalizeInput did not load ${planFile} from its zip:\n${run.stdout}${run.stderr}`,
    );
    check(
      result.error?.name === 'InputInvalidError',
      `packaged normalizeInput threw ${result.error?.name} on an invalid input, not InputInvalidError (keepNames?)`,
    );
    // src/handlers/define-step.ts throws it; the map's sources sit where they do in the repository.
    const thrownAt = join(taskRoot, 'src', 'handlers', 'define-step.ts');
    const frame = result.error?.frame ?? '';
    const at = frame.indexOf(`${thrownAt}:`);
    check(
      at >= 0 && /^:\d+:\d+/.test(frame.slice(at + thrownAt.length)),
      `packaged normalizeInput's error stack does not name ${thrownAt}:LINE (source map): ${frame}`,
    );
  } finally {
    rmSync(taskRoot, { recursive: true, force: true });
  }
}
smokeTest();

// Sizes: every function's zip, unpacked.
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const sizeLines = unzippedSizes.map(({ name, files }) => {
  const total = files.reduce((sum, [, bytes]) => sum + bytes, 0);
  check(
    total <= MAX_UNZIPPED_BYTES,
    `function ${name}: ${total} bytes unzipped, over ${MAX_UNZIPPED_BYTES} (${files.map(([f, b]) => `${f} ${b}`).join(', ')})`,
  );
  const part = (suffix: string) => files.find(([f]) => f.endsWith(suffix))?.[1] ?? 0;
  return `  ${name.padEnd(18)} ${kb(total).padStart(9)}  (bundle ${kb(part('.mjs'))}, map ${kb(part('.mjs.map'))}, plan ${kb(part('.json'))})`;
});
const largest = Math.max(...unzippedSizes.map(({ files }) => files.reduce((sum, [, b]) => sum + b, 0)));
console.log(
  `function zips unzipped (limit ${kb(MAX_UNZIPPED_BYTES)}; largest ${kb(largest)}):\n${sizeLines.join('\n')}`,
);

const summary = [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
if (problems.length > 0) {
  console.error(`package check failed (${stage}, ${region}):\n  - ${problems.join('\n  - ')}`);
  process.exitCode = 1;
} else {
  console.log(`ok package ${stage} ${region}: ${summary}`);
  console.log(
    `ok ${stepNames.length} function zips carry their bundle and ${planFile}, each at most ${MAX_UNZIPPED_BYTES} bytes unzipped; normalizeInput loads the plan, and its errors keep their names and map to src/*.ts`,
  );
}

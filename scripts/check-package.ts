/**
 * Checks what `osls package` built (the last step of `npm run package`): the CloudFormation
 * template has the state machine, one function per step, the trigger rule with the plan's alarm
 * names, its dead-letter queue and the orchestrator's own alarms; every function zip carries
 * its bundle and the stage's plan; and the packaged normalizeInput bundle, run from an unpacked
 * zip laid out like /var/task, loads that plan.
 *
 * Too slow for the unit suite (it needs a packaging run); the wiring it checks is exactly what a
 * unit test of serverless.yml cannot see (plugins, variable resolution, serverless-esbuild).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { stepHandlers } from '../src/handlers/index.js';
import { loadPlanFile } from '../src/plan/load.js';
import { METRIC_NAMESPACE } from '../src/steps/report.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
const outDir = join(repoRoot, '.serverless');
const LAMBDA_TASK_ROOT = '/var/task';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
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

/** The entries of a zip file by name (stored or deflated, as serverless-esbuild writes them). */
function readZip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    entries.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    at += 46 + skip;
  }
  return entries;
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
    Environment?: { Variables?: Record<string, string> };
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
  // Lambda's limit is 4 KB for all variables together.
  const envBytes = Object.entries(env).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  check(envBytes < 4096, `function ${name}: environment is ${envBytes} bytes (Lambda allows 4 KB)`);

  const entries = readZip(join(repoRoot, fn.package.artifact));
  const bundle = `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.mjs`;
  check(entries.has(bundle), `function ${name}: ${fn.package.artifact} has no ${bundle}`);
  check(
    entries.get(planFile)?.toString('utf8') === planText,
    `function ${name}: ${fn.package.artifact} does not carry ${planFile} as it is in the repository`,
  );
}

// Trigger rule, its dead-letter queue and retry policy.
const rules = ofType('AWS::Events::Rule');
check(rules.length === 1, `expected 1 AWS::Events::Rule, found ${rules.length}`);
const [ruleId, rule] = rules[0] ?? ['', { Type: '', Properties: {} }];
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
const roleId = (target?.RoleArn as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0] ?? '';
const rolePolicy = JSON.stringify(template.Resources[roleId] ?? {});
check(
  rolePolicy.includes('states:StartExecution') && rolePolicy.includes(JSON.stringify({ Ref: machineId })),
  `rule role ${roleId} cannot start the state machine`,
);

// The orchestrator's own alarms, all to the alerts topic.
const topics = ofType('AWS::SNS::Topic');
check(
  topics.length === 1 && topics[0]?.[1].Properties.TopicName === `failover-${stage}-alerts`,
  `expected the SNS topic failover-${stage}-alerts`,
);
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ApproximateNumberOfMessagesVisible']) {
  const alarm = alarms.find((a) => a.MetricName === metric);
  check(alarm !== undefined, `no alarm on ${metric}`);
  check(
    JSON.stringify(alarm?.AlarmActions) === JSON.stringify([{ Ref: topics[0]?.[0] }]),
    `alarm on ${metric} does not notify the alerts topic`,
  );
}

// The functions may publish only in the namespace the report step uses.
const lambdaRole = JSON.stringify(template.Resources.IamRoleLambdaExecution ?? {});
check(
  lambdaRole.includes(JSON.stringify({ 'cloudwatch:namespace': METRIC_NAMESPACE })),
  `cloudwatch:PutMetricData is not limited to namespace ${METRIC_NAMESPACE} (src/steps/report.ts)`,
);

// The packaged bundle, unpacked as Lambda does, finds and loads the packaged plan.
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
      process.stdout.write('\\n' + JSON.stringify(out.request) + '\\n');`;
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
    let request: { planName?: string } = {};
    try {
      request = JSON.parse(last);
    } catch {
      // reported below with the process output
    }
    check(
      run.status === 0 && request.planName === plan.name,
      `packaged normalizeInput did not load ${planFile} from its zip:\n${run.stdout}${run.stderr}`,
    );
  } finally {
    rmSync(taskRoot, { recursive: true, force: true });
  }
}
smokeTest();

const summary = [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
if (problems.length > 0) {
  console.error(`package check failed (${stage}, ${region}):\n  - ${problems.join('\n  - ')}`);
  process.exitCode = 1;
} else {
  console.log(`ok package ${stage} ${region}: ${summary}`);
  console.log(
    `ok ${stepNames.length} function zips carry their bundle and ${planFile}; normalizeInput loads it`,
  );
}

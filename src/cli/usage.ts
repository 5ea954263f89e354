/** Help texts: `failover --help` and `failover <command> --help`. */

const COMMON = `Common options (as the AWS CLI):
  --region REGION        AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region)
  --profile NAME         named profile from ~/.aws (else AWS_PROFILE)
  --stage STAGE          use the state machine failover-STAGE (default dev)
  --state-machine ARN    use this state machine instead of failover-STAGE
  --debug                print the stack trace of an error
  --help                 this text`;

const EXECUTION = 'EXECUTION is an execution name or its full ARN.';

export const USAGE: Record<string, string> = {
  main: `Usage: failover <command> [options]

Starts, follows, approves, stops and reports failovers run by the failover-<stage> Step
Functions state machine, and drills them locally.

Commands:
  start      start a failover (manual) or a switchover (planned)
  status     where an execution is, and its timeline so far
  approve    approve the failover that waits for a human decision
  reject     reject the failover that waits for a human decision
  stop       stop a running execution, free its lock; report where it stopped
  unlock     free a plan's lock whose holder no longer runs
  history    recent executions with outcome, RTO and RPO
  report     an execution's report, rebuilt from its execution history
  drill      run a drill against the simulated cloud (no AWS account)
  validate   validate a failover plan file

Run failover <command> --help for a command's options.
Exit status: 0 done, 1 failed or refused, 2 bad command line or input.`,

  start: `Usage: failover start --mode manual|planned --target REGION --reason TEXT --requested-by WHO
                      [--dry-run] [--override-safety-rules ARN[,ARN]] [--wait] [common options]

Starts an execution with the start input (version 1). It is checked here first: a bad input
names every bad field and nothing is sent. Started in the target region (where the orchestrator
that moves the service there runs) unless --region says otherwise.

  --mode MODE            manual: failover, data loss allowed (the region is unhealthy);
                         planned: switchover with no data loss (both regions healthy)
  --target REGION        region to move the service to
  --reason TEXT          why (kept in the report)
  --requested-by WHO     who asks for it
  --dry-run              check and read everything, change nothing; the report says what would be done
  --override-safety-rules ARN[,ARN]
                         manual only: Route 53 ARC safety rules the routing control change may
                         override (runbooks/arc-safety-rule.md); on the record and in the report
  --wait                 follow the execution until it ends, then print its report

${COMMON}`,

  status: `Usage: failover status [EXECUTION] [--follow] [common options]

Status, the state it is in now, elapsed time and the timeline so far (rebuilt from the
execution history). Without EXECUTION: the newest execution.

  --follow               keep polling (every 5 s) and print new timeline events until it ends,
                         then print its report

${EXECUTION}

${COMMON}`,

  approve: `Usage: failover approve [EXECUTION] --by WHO [--reason TEXT] [common options]

Approves the failover that waits for a human decision (its task token is read from the
execution history). Without EXECUTION: the newest running execution.

  --by WHO               who approves (sent with the approval)
  --reason TEXT          why

${EXECUTION}

${COMMON}`,

  reject: `Usage: failover reject [EXECUTION] --by WHO --reason TEXT [common options]

Rejects the failover that waits for a human decision: nothing is changed, the report says
not approved. Without EXECUTION: the newest running execution.

  --by WHO               who rejects
  --reason TEXT          why

${EXECUTION}

${COMMON}`,

  stop: `Usage: failover stop EXECUTION --reason TEXT --by WHO [--lock-table NAME] [common options]

Stops a running execution (error StoppedByOperator), then prints its report rebuilt from the
history: where it stopped, and what must be checked now (a stop during the take-over can
leave the old primary fenced and the target not yet promoted).

Once Step Functions says ABORTED, frees the plan's failover lock if, and only if, the stopped
execution holds it (a delete conditional on its holder and fencing token), and says what it
found: released, already free, in a cool-down, or held by another execution (left alone). A
release is kept as an audit item in the lock table. Run it again on a stopped execution to
free a lock an earlier stop left (it does not stop anything twice).

  --reason TEXT          why
  --by WHO               who stops it
  --lock-table NAME      the lock table (default failover-locks-STAGE, in the execution's region)

${EXECUTION}

${COMMON}`,

  unlock: `Usage: failover unlock --plan NAME [--by WHO] [--reason TEXT] [--yes] [--force] [--lock-table NAME]
                       [common options]

Frees a plan's failover lock whose holder no longer runs (stopped from the console, timed out,
failed outside every Catch), so a new failover can start without waiting for the lock to
expire. Run it in the orchestrator's region (the one the failover moved to). Refuses while the
holding execution is RUNNING (use failover stop, which frees the lock itself); leaves a
cool-down alone (manual and planned starts override it). Asks before removing; the delete is
conditional on the holder and token shown, so a lock taken meanwhile is never removed. Who,
when, and what was removed is printed and kept as an audit item in the lock table (400 days).

  --plan NAME            the plan's name (plans/STAGE.json "name"; checked against it when present)
  --by WHO               who frees it (default: the OS user)
  --reason TEXT          why (kept in the audit record)
  --yes, -y              do not ask (required when not on a terminal)
  --force                remove a lock whose holder this state machine does not know though the
                         lock has not expired (a young lock usually means the wrong --stage)
  --lock-table NAME      the lock table (default failover-locks-STAGE)

${COMMON}`,

  history: `Usage: failover history [--max N] [common options]

The newest executions: name, start, status, outcome, RTO and RPO (from each execution's
report; rebuilt from the history for executions that did not succeed).

  --max N                how many (default 10, at most 1000)

${COMMON}`,

  report: `Usage: failover report EXECUTION [--format markdown|json|html] [--history-file FILE] [common options]

The report of an ended execution, rebuilt from its execution history (GetExecutionHistory,
all pages) and DescribeExecution.

  --format FORMAT        markdown (default), json, or html: one self-contained page (timeline
                         chart, figures, fencing, actions) that loads nothing from the network;
                         failover report NAME --format html > report.html
  --history-file FILE    read a saved {"events": [...], "execution": {...}} instead of AWS
                         (events as get-execution-history prints them, execution as
                         describe-execution does); no AWS call is made

${EXECUTION}

${COMMON}`,

  drill: `Usage: failover drill [--scenario NAME | --case FILE] [--seed N] [--profile typical|pessimistic]
                      [--plan FILE] [--save-history FILE] [--html FILE] [--list] [--json]

Runs a failover drill: the real state machine and Lambda handlers against a simulated
two-region AWS cloud on a virtual clock. No AWS account is used.

  --scenario NAME        the scenario (default region-outage); --list shows them
  --case FILE            replay a chaos case (npm run chaos saves them in chaos-cases/) and
                         print every invariant's result; exit 1 when one is broken. Its seed
                         is the case's unless --seed is given
  --seed N               seed for latencies and retry jitter (default 1); same seed, same figures
  --profile NAME         the simulated cloud's latencies: typical (default) or pessimistic, the
                         slow end AWS documents or users report (src/sim/latencies.ts); a
                         case's own profile unless given
  --plan FILE            failover plan to drill (default plans/dev.json)
  --save-history FILE    also write the execution history, for failover report --history-file
  --html FILE            also write the report as one self-contained HTML page (timeline chart)
  --list                 list the scenarios
  --json                 print the report as JSON
  --help                 this text`,

  validate: `Usage: failover validate PLAN_FILE

Validates a failover plan (plans/<stage>.json) with the schema the deployment uses; prints
every bad field. Warns (exit 0) about what the schema accepts but an outage would expose: a
us-east-1 primary with records that can only move by record-upsert.

  --help                 this text`,
};

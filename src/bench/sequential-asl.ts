/**
 * The benchmark's baseline: the workflow in the order of the original Lambda sketch (promote,
 * wait for the promotion, then scale, wait for the scale-up, then shift), built from the real
 * state machine in memory so it can never drift from it. Everything else (lock, failure check,
 * readiness, fencing, shift, verification, recovery paths, report) stays as deployed.
 *
 * The TakeOver Parallel keeps its name, its Catch and its result shape, but gets ONE branch: the
 * database branch, whose success end (a Succeed state) now leads into the compute branch's states.
 * A one-branch Parallel is valid ASL and behaves as a sequence. What changes with the merge:
 * - the compute branch's own failure is kept at `$.computeFailure` (not `$.failure`, which the
 *   database branch owns), set to null by the Pass that replaces the database branch's Succeed;
 * - the ResultSelector reads both parts from `$[0]`.
 */

// biome-ignore lint/suspicious/noExplicitAny: raw ASL JSON, walked generically
type Json = any;

export const TAKE_OVER_STATE = 'TakeOver';
/** Where the compute part's failure travels in the merged branch. */
const COMPUTE_FAILURE_PATH = '$.computeFailure';

/** Replaces the JSONPath `$.failure` (exactly, or as a prefix) in every string of a value. */
function renameFailurePath(value: Json): Json {
  if (typeof value === 'string') return value.replace(/^\$\.failure(?=$|[.[])/, COMPUTE_FAILURE_PATH);
  if (Array.isArray(value)) return value.map(renameFailurePath);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameFailurePath(v)]));
  return value;
}

/**
 * Returns a copy of `definition` whose `TakeOver` Parallel runs its database branch and then its
 * compute branch, one after the other. Throws when the shape it relies on is not there (so a
 * change to the state machine breaks the benchmark loudly, not silently).
 */
export function sequentialTakeOver(definition: Json, stateName = TAKE_OVER_STATE): Json {
  const machine = structuredClone(definition);
  const parallel = machine.States?.[stateName];
  if (parallel?.Type !== 'Parallel' || parallel.Branches?.length !== 2)
    throw new Error(`${stateName} is not a Parallel state with two branches`);
  const [database, compute] = parallel.Branches as [Json, Json];

  const clash = Object.keys(compute.States).find((name) => name in database.States);
  if (clash) throw new Error(`both branches of ${stateName} have a state named ${clash}`);
  const successEnds = Object.entries(database.States).filter(
    ([, state]) => (state as Json).Type === 'Succeed',
  );
  if (successEnds.length === 0) throw new Error(`the first branch of ${stateName} has no Succeed state`);

  const merged: Record<string, Json> = { ...database.States };
  for (const [name] of successEnds) {
    // `$.failure` is null here (a database failure leaves through the Fail state instead): copy
    // it, rather than `Result: null`, which aws-local-stepfunctions takes for "no Result".
    merged[name] = {
      Type: 'Pass',
      Comment: 'Baseline (sequential) variant: the database has moved; now scale the target.',
      InputPath: '$.failure',
      ResultPath: COMPUTE_FAILURE_PATH,
      Next: compute.StartAt,
    };
  }
  for (const [name, state] of Object.entries(compute.States)) merged[name] = renameFailurePath(state);

  parallel.Branches = [{ StartAt: database.StartAt, States: merged }];
  if (parallel.ResultSelector) {
    const selector: Record<string, string> = {};
    for (const [key, path] of Object.entries(parallel.ResultSelector as Record<string, string>)) {
      selector[key] =
        path === '$[1].failure' ? `$[0]${COMPUTE_FAILURE_PATH.slice(1)}` : path.replace(/^\$\[1\]/, '$[0]');
    }
    parallel.ResultSelector = selector;
  }
  parallel.Comment = `Baseline variant (src/bench/sequential-asl.ts): the two branches run one after the other. ${parallel.Comment ?? ''}`;
  machine.Comment = `BENCHMARK BASELINE, not deployed: ${stateName} is sequential. ${machine.Comment ?? ''}`;
  return machine;
}

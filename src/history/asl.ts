import definition from '../../statemachines/failover.asl.json' with { type: 'json' };

/** The parts of an Amazon States Language definition that reading an execution history needs. */
export interface AslState {
  Type: string;
  Resource?: unknown;
  Parameters?: Record<string, unknown>;
  ResultPath?: string | null;
  ResultSelector?: Record<string, unknown>;
  Catch?: { ErrorEquals: string[]; ResultPath?: string | null }[];
  Branches?: AslMachine[];
}
export interface AslMachine {
  StartAt?: string;
  States: Record<string, AslState>;
}

/** The workflow that deploys: the history of any of its executions is read against it. */
export const FAILOVER_DEFINITION = definition as unknown as AslMachine;

/** A path into the execution state: `['takeover', 'fence']`. */
export type StatePath = readonly (string | number)[];

export interface ResultState {
  name: string;
  kind: 'task' | 'pass';
  /** Its ResultPath, in the coordinates of its own branch. */
  ownPath: StatePath | null;
  /** Where its result sits in the state the Report task receives; null: nowhere. */
  path: StatePath | null;
  /** Receives the whole execution state (`"state.$": "$"`): a report task, not a step. */
  receivesWholeState: boolean;
  /** `...waitForTaskToken`: its result is what SendTaskSuccess sent (an approval). */
  callback: boolean;
  /** Where a caught error lands ({Error, Cause}) other than the failure path, by error name. */
  caughtPaths: { errors: string[]; path: StatePath }[];
}

/** `$.steps.fence` -> ['steps', 'fence']; `$` -> []; null (result discarded) -> null. */
export function parseReferencePath(path: string | null | undefined): StatePath | null {
  if (path === null) return null;
  if (path === undefined || path === '$') return [];
  const keys: (string | number)[] = [];
  for (const [, key, index] of path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    keys.push(index === undefined ? (key as string) : Number(index));
  }
  return keys;
}

type PathMapper = (path: StatePath) => StatePath | null;

/**
 * How a Parallel state carries one branch's state into the outer state. With a ResultSelector
 * (`"fence.$": "$[0].steps.fence"`), a branch result reaches the outer state only through the
 * selector entry that picks it; without one, the branch's whole state lands at index i.
 */
function branchMapper(parallel: AslState, index: number, outer: PathMapper): PathMapper {
  const resultPath = parseReferencePath(parallel.ResultPath);
  return (path) => {
    if (resultPath === null) return null;
    if (!parallel.ResultSelector) return outer([...resultPath, index, ...path]);
    for (const [key, value] of Object.entries(parallel.ResultSelector)) {
      if (!key.endsWith('.$') || typeof value !== 'string') continue;
      const match = /^\$\[(\d+)\](.*)$/.exec(value);
      if (!match || Number(match[1]) !== index) continue;
      const picked = parseReferencePath(`$${match[2]}`) ?? [];
      if (picked.every((k, i) => path[i] === k)) {
        return outer([...resultPath, key.slice(0, -2), ...path.slice(picked.length)]);
      }
    }
    return null;
  };
}

/**
 * Every Task and Pass state of the workflow, Parallel branches included, with where its
 * ResultPath puts its result in the execution state: read from the definition so that a new
 * state is found without a code change. Map iterations have no single place in the state and
 * are left out.
 */
export function resultStates(machine: AslMachine = FAILOVER_DEFINITION): Map<string, ResultState> {
  const found = new Map<string, ResultState>();
  const walk = (states: Record<string, AslState>, mapPath: PathMapper) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' || state.Type === 'Pass') {
        const own = parseReferencePath(state.ResultPath);
        found.set(name, {
          name,
          kind: state.Type === 'Task' ? 'task' : 'pass',
          ownPath: own,
          path: own === null ? null : mapPath(own),
          receivesWholeState: state.Parameters?.['state.$'] === '$',
          callback: typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken'),
          caughtPaths: (state.Catch ?? []).flatMap((c) => {
            const own = c.ResultPath === '$.failure' ? null : parseReferencePath(c.ResultPath);
            const path = own === null ? null : mapPath(own);
            return path === null ? [] : [{ errors: c.ErrorEquals, path }];
          }),
        });
      }
      if (state.Type === 'Parallel') {
        state.Branches?.forEach((branch, index) => {
          walk(branch.States, branchMapper(state, index, mapPath));
        });
      }
    }
  };
  walk(machine.States, (path) => path);
  return found;
}

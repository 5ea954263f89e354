export { type AslMachine, FAILOVER_DEFINITION, type ResultState, resultStates } from './asl.js';
export { lastStateEntered, type PendingApproval, pendingApproval, timeOf } from './events.js';
export { parseSavedHistory, type SavedHistory } from './file.js';
export { type ExecutionSummary, rebuildReport, rebuildState } from './rebuild.js';
export { type RecordedExecution, type RecordedTask, toHistoryEvents } from './record.js';

import { eventBridgePublisher } from '../events/publish.js';
import { liveDeps, type StepDeps } from './define-step.js';

/**
 * Dependencies of a deployed step that publishes events: liveDeps plus a publisher on the default
 * bus of the region the function runs in (AWS_REGION, set by the Lambda runtime).
 */
export function liveDepsWithEvents(): StepDeps {
  const deps = liveDeps();
  return { ...deps, events: eventBridgePublisher(deps.clients, process.env.AWS_REGION ?? '') };
}

import { SFNClient } from '@aws-sdk/client-sfn';
import { registerClient } from './clients.js';

/**
 * Registers Step Functions' client for `clients.forRegion(region).sfn`. No step calls Step
 * Functions today (the CLI builds its own client, src/cli/io.ts): a step that does imports
 * this module, and only its function then bundles the client (src/aws/clients.ts).
 */
registerClient('sfn', SFNClient);

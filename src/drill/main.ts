/** `npm start`: the same as `failover drill` (src/cli/commands/drill.ts). */
import { main } from '../cli/main.js';

process.exitCode = await main(['drill', ...process.argv.slice(2)]);

#!/usr/bin/env node
// The `failover` command: runs the TypeScript sources through tsx, so the command line and the
// Lambda steps share one codebase with no build step.
import { register } from 'tsx/esm/api';

// Node 20 is supported by this project; the SDK's notice about older Node lines is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
register();
// Imported only now, after the variable is set: the SDK reads it when it loads.
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// Idle SDK sockets or drill timers must not hold the shell; the output is written by now.
setTimeout(() => process.exit(), 1000).unref();

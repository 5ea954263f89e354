import 'aws-sdk-client-mock-vitest/extend';
// Every SDK client, whichever modules a test imports or mocks; each Lambda bundle registers only
// its own (test/deploy/bundles.test.ts).
import '../src/aws/all-clients.js';

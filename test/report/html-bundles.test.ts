import { describe, expect, it } from 'vitest';
import { bundleMetafile, lambdaEntries } from '../support/lambda-bundles.js';

/**
 * The HTML report is for the CLI and the drill only: no Lambda function may carry it (its
 * stylesheet and chart code would only add to every bundle's cold start, and a handler has no
 * use for a page). Every function's entry in serverless.yml is bundled as serverless-esbuild
 * bundles it (metafile only, nothing written) and its inputs are checked.
 */
describe('Lambda bundles', () => {
  it('leave the HTML report and the browser driver out', async () => {
    const entries = lambdaEntries().map((e) => e.entry);
    const metafile = await bundleMetafile(entries);

    expect(entries.length).toBeGreaterThan(10);
    const carrying = Object.values(metafile.outputs)
      .filter((o) => o.entryPoint)
      .flatMap((o) =>
        Object.keys(o.inputs)
          .filter((input) => input.startsWith('src/report/html/') || input.includes('node_modules/puppeteer'))
          .map((input) => `${o.entryPoint}: ${input}`),
      );
    expect(carrying).toEqual([]);
    // The check looks where the report code is: the report handler does bundle the report model.
    const reportBundle = Object.values(metafile.outputs).find(
      (o) => o.entryPoint === 'src/handlers/report.ts',
    );
    expect(Object.keys(reportBundle?.inputs ?? {})).toContain('src/report/build.ts');
  }, 60_000);
});

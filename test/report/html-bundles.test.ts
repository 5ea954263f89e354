import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The HTML report is for the CLI and the drill only: no Lambda function may carry it (its
 * stylesheet and chart code would only add to every bundle's cold start, and a handler has no
 * use for a page). Every function's entry in serverless.yml is bundled as serverless-esbuild
 * bundles it (metafile only, nothing written) and its inputs are checked.
 */
interface ServerlessConfig {
  functions: Record<string, { handler: string }>;
  custom: { esbuild: { target: string; platform: 'node'; format: 'esm'; mainFields: string[] } };
}

describe('Lambda bundles', () => {
  it('leave the HTML report and the browser driver out', async () => {
    const serverless = parse(readFileSync('serverless.yml', 'utf8')) as ServerlessConfig;
    const entries = Object.values(serverless.functions).map(
      (fn) => `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.ts`,
    );
    const { target, platform, format, mainFields } = serverless.custom.esbuild;

    const { metafile } = await build({
      entryPoints: entries,
      bundle: true,
      write: false,
      metafile: true,
      outdir: 'out',
      outbase: '.',
      target,
      platform,
      format,
      mainFields,
      logLevel: 'silent',
    });

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

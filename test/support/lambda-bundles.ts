import { readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { parse } from 'yaml';

interface ServerlessConfig {
  functions: Record<string, { handler: string }>;
  custom: { esbuild: { target: string; platform: 'node'; format: 'esm'; mainFields: string[] } };
}

/** Every Lambda function in serverless.yml and the source file its handler is bundled from. */
export function lambdaEntries(): { name: string; entry: string }[] {
  const serverless = parse(readFileSync('serverless.yml', 'utf8')) as ServerlessConfig;
  return Object.entries(serverless.functions).map(([name, fn]) => ({
    name,
    entry: `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.ts`,
  }));
}

/**
 * Bundles entries as serverless-esbuild does (serverless.yml `custom.esbuild`), metafile only,
 * nothing written: what each function's package would carry.
 */
export async function bundleMetafile(entryPoints: readonly string[]): Promise<Metafile> {
  const serverless = parse(readFileSync('serverless.yml', 'utf8')) as ServerlessConfig;
  const { target, platform, format, mainFields } = serverless.custom.esbuild;
  const result = await build({
    entryPoints: [...entryPoints],
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
  return result.metafile;
}

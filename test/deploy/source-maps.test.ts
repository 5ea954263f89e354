import { createRequire, SourceMap, type SourceMapPayload } from 'node:module';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * scripts/esbuild-plugins.cjs: a packaged .map keeps its mappings into src/*.ts exactly, drops
 * those into node_modules, and a position in node_modules code maps to nothing (not to the
 * nearest src/*.ts line before it). Read through Node's own SourceMap, which is what
 * --enable-source-maps uses for stack traces in Lambda. scripts/check-package.ts checks a real
 * stack from a packaged zip.
 */

const { keepSources, ownSource } = createRequire(import.meta.url)('../../scripts/esbuild-plugins.cjs') as {
  keepSources: (map: SourceMapPayload, keep: (source: string) => boolean) => SourceMapPayload;
  ownSource: (source: string) => boolean;
};

let original: SourceMapPayload;
let kept: SourceMapPayload;
beforeAll(async () => {
  // As serverless.yml builds it (minified, no sourcesContent): a handler with zod, Powertools, middy.
  const result = await build({
    entryPoints: ['src/handlers/normalize-input.ts'],
    bundle: true,
    write: false,
    minify: true,
    keepNames: true,
    sourcemap: 'external',
    sourcesContent: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    outdir: 'out',
    logLevel: 'silent',
  });
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  original = JSON.parse(map?.text ?? '{}');
  kept = keepSources(original, ownSource);
}, 60_000);

/** Every segment of a map, absolute: [generated line, generated column, source?, line?, column?]. */
function segments(map: SourceMapPayload): number[][] {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out: number[][] = [];
  const at = [0, 0, 0, 0];
  map.mappings.split(';').forEach((line, generatedLine) => {
    let column = 0;
    for (const text of line.split(',')) {
      if (text === '') continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of text) {
        const digit = B64.indexOf(char);
        value += (digit & 31) * 2 ** shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value % 2 ? -Math.floor(value / 2) : Math.floor(value / 2));
          value = 0;
          shift = 0;
        }
      }
      column += fields[0] ?? 0;
      if (fields.length < 4) {
        out.push([generatedLine, column]);
        continue;
      }
      for (let i = 0; i < 3; i += 1) at[i] = (at[i] ?? 0) + (fields[i + 1] ?? 0);
      out.push([generatedLine, column, at[0] ?? 0, at[1] ?? 0, at[2] ?? 0]);
    }
  });
  return out;
}

describe('source maps: own sources only', () => {
  it('keeps only src/ sources, and most of the map goes', () => {
    expect(original.sources.some((s) => s.includes('node_modules/zod/'))).toBe(true);
    expect(kept.sources.length).toBeGreaterThan(5);
    expect(kept.sources.every((s) => !s.includes('node_modules') && s.includes('src/'))).toBe(true);
    expect(JSON.stringify(kept).length).toBeLessThan(JSON.stringify(original).length / 4);
  });

  it('maps every generated position of src code exactly as esbuild did', () => {
    const own = (map: SourceMapPayload) =>
      segments(map)
        .filter((s) => s.length === 5 && ownSource(map.sources[s[2] ?? 0] ?? ''))
        .map(([line, column, source, l, c]) => [line, column, map.sources[source ?? 0], l, c]);
    const before = own(original);
    expect(before.length).toBeGreaterThan(100);
    expect(own(kept)).toEqual(before);
  });

  it("maps a position in node_modules code to nothing, not to the src line before it (Node's SourceMap)", () => {
    const all = segments(original);
    const sourceMap = new SourceMap(kept);
    const originalMap = new SourceMap(original);
    let checked = 0;
    for (const [i, s] of all.entries()) {
      const previous = all[i - 1];
      // The first segment of a run of third-party code right after src code.
      if (s.length !== 5 || ownSource(original.sources[s[2] ?? 0] ?? '') || !previous) continue;
      if (previous.length !== 5 || !ownSource(original.sources[previous[2] ?? 0] ?? '')) continue;
      const [line = 0, column = 0] = s;
      expect(originalMap.findEntry(line, column)).toMatchObject({
        originalSource: expect.stringContaining('node_modules'),
      });
      expect(sourceMap.findEntry(line, column)).not.toHaveProperty('originalSource', expect.anything());
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('leaves third-party code at the very end of a bundle unmapped too', () => {
    const map: SourceMapPayload = {
      version: 3,
      file: 'x.mjs',
      sourceRoot: '',
      sources: ['../a.ts', '../../node_modules/x/b.js'],
      sourcesContent: [],
      names: [],
      mappings: 'AAAA,ECAA',
    };
    const trimmed = keepSources(map, ownSource);
    expect(trimmed.sources).toEqual(['../a.ts']);
    expect(new SourceMap(trimmed).findEntry(0, 1)).toMatchObject({ originalSource: '../a.ts' });
    expect(new SourceMap(trimmed).findEntry(0, 3)).not.toHaveProperty('originalSource', expect.anything());
  });
});

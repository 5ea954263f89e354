/**
 * Size and module init time of every packaged function (.serverless/*.zip; run `npm run package`
 * first). The measuring is src/bench/bundles.ts `measureBundles()` (npm run bench uses it too):
 * each zip unpacked like /var/task, a fresh `node` importing the bundle, median of `--runs`.
 *
 *   npx tsx scripts/measure-bundles.ts                  # table, 5 runs
 *   npx tsx scripts/measure-bundles.ts --runs 9 --json out.json --files
 *   npx tsx scripts/measure-bundles.ts --root /tmp/old  # a saved copy: /tmp/old/.serverless
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureBundles } from '../src/bench/bundles.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    json: { type: 'string' },
    files: { type: 'boolean', default: false },
    root: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, not ${values.runs}`);

const figures = measureBundles(values.root ? resolve(values.root) : repoRoot, {
  runs,
  onProgress: (name) => process.stderr.write(`${name} `),
});
process.stderr.write('\n');

const rows = [['function', 'zipped B', 'unzipped B', 'init ms', 'process ms']];
for (const f of figures) {
  rows.push([
    f.name,
    String(f.zipBytes),
    String(f.unzippedBytes),
    f.initMs === null ? `failed: ${f.error?.slice(0, 80)}` : f.initMs.toFixed(1),
    f.processMs === null ? '-' : f.processMs.toFixed(0),
  ]);
  if (values.files) {
    for (const file of f.files)
      rows.push([`  ${file.name}`, String(file.compressedBytes), String(file.bytes), '', '']);
  }
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const row of rows) {
  console.log(
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);

/**
 * esbuild plugins for serverless-esbuild (serverless.yml `custom.esbuild.plugins`).
 *
 * ownSourcesOnly: each function's .map keeps the mappings into the project's own sources
 * (src/*.ts) and drops those into node_modules (the SDK, zod, Powertools). Those were ~90% of a
 * map (about 1.2 MB of mappings and names for a minified bundle of 0.75 MB) and only ever point
 * into third-party code; with them a function's zip could not stay below 1,000,000 bytes
 * unpacked (scripts/check-package.ts). Where third-party code starts, the map says "no original
 * position" (a segment with a generated column only, Source Map v3), so Node's
 * --enable-source-maps prints such a frame as the bundle's own line and column instead of
 * lending it the nearest src/*.ts line before it. scripts/check-package.ts checks that a thrown
 * error's stack, from an unpacked zip, names src/*.ts lines.
 */
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const { basename, dirname, extname, join, relative, resolve, sep } = require('node:path');

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = Object.fromEntries([...BASE64].map((c, i) => [c, i]));

/** One segment's fields as written: relative values (Source Map v3 base64 VLQ). */
function decodeSegment(text) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT[char];
    if (digit === undefined) throw new Error(`not a source map VLQ digit: ${char}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      fields.push(value % 2 === 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

function encodeValue(value) {
  let rest = value < 0 ? -value * 2 + 1 : value * 2;
  let out = '';
  do {
    let digit = rest % 32;
    rest = Math.floor(rest / 32);
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

/**
 * `map` with only the mappings whose source `keep` accepts, and only those sources and the
 * names they use. Every run of dropped mappings becomes one unmapped segment at its start.
 */
function keepSources(map, keep) {
  const sourceIndex = new Map();
  const nameIndex = new Map();
  const sources = [];
  const names = [];
  const state = { source: 0, line: 0, column: 0, name: 0 };
  const out = { source: 0, line: 0, column: 0, name: 0 };
  let mapped = false;
  const lines = map.mappings.split(';').map((line) => {
    let generated = 0;
    let written = 0;
    const segments = [];
    for (const text of line.split(',')) {
      if (text === '') continue;
      const [column, source, line, sourceColumn, name] = decodeSegment(text);
      generated += column;
      let own = false;
      if (source !== undefined) {
        state.source += source;
        state.line += line;
        state.column += sourceColumn;
        if (name !== undefined) state.name += name;
        own = keep(map.sources[state.source]);
      }
      if (!own) {
        if (mapped) {
          segments.push(encodeValue(generated - written));
          written = generated;
        }
        mapped = false;
        continue;
      }
      let index = sourceIndex.get(state.source);
      if (index === undefined) {
        index = sources.length;
        sourceIndex.set(state.source, index);
        sources.push(map.sources[state.source]);
      }
      let segment =
        encodeValue(generated - written) +
        encodeValue(index - out.source) +
        encodeValue(state.line - out.line) +
        encodeValue(state.column - out.column);
      out.source = index;
      out.line = state.line;
      out.column = state.column;
      if (name !== undefined) {
        let nameAt = nameIndex.get(state.name);
        if (nameAt === undefined) {
          nameAt = names.length;
          nameIndex.set(state.name, nameAt);
          names.push(map.names[state.name]);
        }
        segment += encodeValue(nameAt - out.name);
        out.name = nameAt;
      }
      segments.push(segment);
      written = generated;
      mapped = true;
    }
    return segments.join(',');
  });
  // Node (20, 22) reads a generated-column-only segment as unmapped only when a separator follows
  // it; at the very end of the mappings it would take the previous segment's source.
  const result = { ...map, sources, names, mappings: lines.join(';') + (mapped ? '' : ';') };
  if (map.sourcesContent) result.sourcesContent = [...sourceIndex.keys()].map((i) => map.sourcesContent[i]);
  return result;
}

const ownSource = (source) => !source.split(/[\\/]/).includes('node_modules');

/**
 * The .map files a build wrote, each with its entry: serverless-esbuild builds one entry per call
 * into `outdir`.
 */
function writtenMaps(options) {
  const entries = Array.isArray(options.entryPoints)
    ? options.entryPoints.map((e) => (typeof e === 'string' ? e : e.in))
    : Object.values(options.entryPoints ?? {});
  const extension = options.outExtension?.['.js'] ?? '.js';
  return entries
    .map((entry) => ({
      entry,
      file: join(options.outdir ?? '.', `${basename(entry, extname(entry))}${extension}.map`),
    }))
    .filter(({ file }) => existsSync(file));
}

const ownSourcesOnly = {
  name: 'own-sources-only',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length > 0 || !build.initialOptions.sourcemap) return;
      const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
      for (const { entry, file } of writtenMaps(build.initialOptions)) {
        const map = keepSources(JSON.parse(readFileSync(file, 'utf8')), ownSource);
        // Relative to where the bundle sits in the zip, which is where its entry sits in the
        // repository (src/handlers/): a frame then reads /var/task/src/steps/x.ts:LINE in Lambda,
        // the repository's path, instead of one relative to esbuild's build directory.
        const bundleDir = dirname(resolve(cwd, entry));
        map.sources = map.sources.map((source) =>
          relative(bundleDir, resolve(dirname(file), source))
            .split(sep)
            .join('/'),
        );
        writeFileSync(file, JSON.stringify(map));
      }
    });
  },
};

module.exports = [ownSourcesOnly];
module.exports.keepSources = keepSources;
module.exports.ownSource = ownSource;

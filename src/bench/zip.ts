import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/**
 * The entries of a zip file, by name, with their sizes: stored or deflated entries, as
 * serverless-esbuild writes them (the same reading as scripts/check-package.ts, which is a script
 * and exports nothing). Enough for our own artifacts, not a general zip reader (no zip64).
 */
export interface ZipEntry {
  name: string;
  compressedBytes: number;
  bytes: number;
  data: () => Buffer;
}

export function readZipEntries(file: string): ZipEntry[] {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const method = zip.readUInt16LE(at + 10);
    const compressedBytes = zip.readUInt32LE(at + 20);
    const bytes = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressedBytes);
    entries.push({
      name,
      compressedBytes,
      bytes,
      data: () => (method === 8 ? inflateRawSync(raw) : Buffer.from(raw)),
    });
    at += 46 + skip;
  }
  return entries;
}

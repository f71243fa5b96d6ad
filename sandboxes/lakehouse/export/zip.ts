/**
 * An export as one .zip, for the browser's "Download this lakehouse" and the CLI's --zip.
 *
 * Deterministic: the same plan gives the same bytes, in Node and in Chromium alike, so a zip a
 * learner downloads can be compared with the CLI's. Entries go in the plan's (sorted) path
 * order, every entry carries the same fixed time (2000-01-01 00:00, DOS time has no zone, and
 * fflate reads the Date's local fields, so a local-time Date gives the same field values
 * everywhere), and compression depends only on the file: Parquet is already compressed
 * (zstd) and is stored, the rest is deflated at level 6. fflate is pure JavaScript, so no
 * platform zlib can make a difference.
 *
 * Streaming: chunks are handed to `sink` file by file, and data files are read from the
 * warehouse only when their turn comes, so the whole export never has to be in memory.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { checkExportPath, type ExportPlan } from './export.ts';

const FIXED_TIME = () => new Date(2000, 0, 1, 0, 0, 0);

/** Write the plan's files as a zip, handing each chunk to `sink` in order. Returns the zip's size. */
export async function zipExport(plan: ExportPlan, sink: (chunk: Uint8Array) => void | Promise<void>): Promise<number> {
  let pending: Uint8Array[] = [];
  let failure: Error | null = null;
  let size = 0;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else pending.push(chunk);
  });
  const flush = async () => {
    if (failure) throw failure;
    const chunks = pending;
    pending = [];
    for (const c of chunks) {
      size += c.length;
      await sink(c);
    }
  };
  for (const f of plan.files) checkExportPath(f.path);
  for (const f of plan.files) {
    const bytes = await f.read();
    const entry = f.path.endsWith('.parquet') ? new ZipPassThrough(f.path) : new ZipDeflate(f.path, { level: 6 });
    entry.mtime = FIXED_TIME();
    zip.add(entry);
    entry.push(bytes, true);
    await flush();
  }
  zip.end();
  await flush();
  return size;
}

/** The whole zip in memory (tests, and small exports). */
export async function zipExportBytes(plan: ExportPlan): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const size = await zipExport(plan, (c) => { chunks.push(c); });
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

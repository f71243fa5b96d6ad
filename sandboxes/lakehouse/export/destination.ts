/**
 * Where an exported lakehouse will live: the root every location in the exported metadata is
 * rewritten to. Iceberg v1–v3 metadata holds fully qualified locations, so the learner names
 * the place the files will end up before they are written: a local folder (the zip unpacked
 * there, or the CLI's --to) or `s3://bucket/prefix` (uploaded there with `mc cp`).
 *
 * Browser-safe: no `node:*`. The CLI resolves a relative folder to an absolute one before it
 * gets here; this module refuses relative folders, because a location relative to wherever an
 * engine happens to run is not a location.
 */

export class ExportError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExportError';
  }
}

export interface Destination {
  kind: 'local' | 's3';
  /** The root URI or absolute path, without a trailing slash: `s3://lake/export`, `/home/me/lakehouse`. */
  root: string;
  /** For s3: the bucket and the key prefix (no leading or trailing slash; may be empty). */
  bucket?: string;
  prefix?: string;
}

/** Characters AWS lists as safe in object keys (plus `=`, which partition folders use, and `/`). */
const S3_SAFE = /^[A-Za-z0-9!_.*'()=+,@~/-]*$/;
/** 3–63 characters, lower case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function checkSegments(path: string, shown: string): void {
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') {
      throw new ExportError(`the destination ${shown} has a '${segment}' segment; write the folder out in full (engines take locations literally).`);
    }
  }
}

/**
 * Parse a destination as a learner types it: `s3://bucket/prefix`, `file:///abs/path`, an
 * absolute POSIX path (`/home/me/lakehouse`) or a Windows one (`C:\Users\me\lakehouse`, written
 * as `file:///C:/Users/me/lakehouse`).
 */
export function parseDestination(text: string): Destination {
  const shown = `'${text}'`;
  if (typeof text !== 'string' || text.trim() === '') throw new ExportError('the destination is empty; give a folder like /home/me/lakehouse or s3://lake/export.');
  if (text !== text.trim()) throw new ExportError(`the destination ${shown} starts or ends with a space; remove it.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f?#%]/.test(text)) {
    throw new ExportError(`the destination ${shown} has a character locations cannot carry safely (a control character, '?', '#' or '%'); pick a folder name without it.`);
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const rest = text.slice('s3://'.length).replace(/\/+$/, '');
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/{2,}/g, '/');
    if (!BUCKET.test(bucket) || bucket.includes('..')) {
      throw new ExportError(`'${bucket}' in ${shown} is not an S3 bucket name: use 3 to 63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit (Phlo's bucket is 'lake': s3://lake/export).`);
    }
    if (!S3_SAFE.test(prefix)) {
      throw new ExportError(`the key prefix '${prefix}' in ${shown} has a character S3 keys should not carry; use letters, digits and ! _ . * ' ( ) = + , @ ~ - only.`);
    }
    checkSegments(prefix, shown);
    return { kind: 's3', root: prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`, bucket, prefix };
  }
  if (scheme && scheme !== 'file') {
    throw new ExportError(`the destination ${shown} uses '${scheme}://'; an export goes to a local folder or to s3://bucket/prefix (MinIO and S3 both take s3://).`);
  }
  let path = scheme === 'file' ? text.slice('file://'.length) : text;
  const windows = /^\/?[a-zA-Z]:[\\/]/.test(path);
  path = path.replace(/\\/g, '/').replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  if (windows) {
    path = path.replace(/^\//, '');
    checkSegments(path, shown);
    return { kind: 'local', root: `file:///${path}` };
  }
  if (path === '' && text.startsWith('/')) throw new ExportError(`the destination ${shown} is the root folder; pick a folder of its own.`);
  if (path.startsWith('~')) throw new ExportError(`the destination ${shown} starts with '~'; write your home folder out in full (/home/you/... or /Users/you/...).`);
  if (!path.startsWith('/')) throw new ExportError(`the destination ${shown} is not an absolute folder; engines read locations literally, so give the full path (/home/me/lakehouse) or s3://bucket/prefix.`);
  checkSegments(path, shown);
  return { kind: 'local', root: scheme === 'file' ? `file://${path}` : path };
}

/** The location of an exported file, from its path relative to the export root. */
export function locate(destination: Destination, relative: string): string {
  return relative ? `${destination.root}/${relative}` : destination.root;
}

/** A suggested local folder for the browser's destination field (the learner edits it). */
export function suggestedFolder(platform: string): string {
  const p = platform.toLowerCase();
  if (p.includes('win')) return 'C:\\Users\\me\\phlo-lakehouse';
  if (p.includes('mac')) return '/Users/me/phlo-lakehouse';
  return '/home/me/phlo-lakehouse';
}

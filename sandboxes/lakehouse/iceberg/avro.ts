/**
 * Avro binary encoding and object container files, hand-written for the few schemas Iceberg
 * uses (manifest lists, manifests). Why not `avsc`: it needs Node's `buffer`, `crypto` and
 * `util`, which a Vite browser bundle does not provide, and Iceberg only needs a small part
 * of Avro. `deflate` blocks go through the platform's (De)CompressionStream('deflate-raw'),
 * present in browsers and in Node 18+, so no `node:zlib` here.
 *
 * Values: long -> bigint, int -> number, bytes/fixed -> Uint8Array, record -> plain object
 * keyed by field name, union -> the branch's value (null for the null branch).
 */

export type AvroSchema =
  | 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string'
  | AvroSchema[]
  | AvroRecord
  | { type: 'array'; items: AvroSchema; [k: string]: unknown }
  | { type: 'map'; values: AvroSchema; [k: string]: unknown }
  | { type: 'fixed'; name: string; size: number; [k: string]: unknown }
  | { type: 'enum'; name: string; symbols: string[]; [k: string]: unknown }
  | { type: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string'; [k: string]: unknown };

export interface AvroField {
  name: string;
  type: AvroSchema;
  'field-id'?: number;
  default?: unknown;
  doc?: string;
  [k: string]: unknown;
}

export interface AvroRecord {
  type: 'record';
  name: string;
  fields: AvroField[];
  [k: string]: unknown;
}

export class AvroError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AvroError';
  }
}

const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj\x01"

// ---------------------------------------------------------------- decoding

class Reader {
  pos = 0;
  readonly buf: Uint8Array;
  readonly view: DataView;
  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new AvroError(`unexpected end of data at byte ${this.pos} (needed ${n} more bytes; the file looks truncated)`);
  }
  long(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 70n) throw new AvroError(`malformed varint at byte ${this.pos}`);
    }
    return (result >> 1n) ^ -(result & 1n);
  }
  int(): number {
    // Fast path for small varints (nearly every int and most longs).
    let result = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++];
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) {
        this.pos -= shift / 7 + 1;
        return Number(this.long());
      }
    }
    return (result >>> 1) ^ -(result & 1);
  }
  bytes(): Uint8Array {
    const n = this.int();
    if (n < 0) throw new AvroError(`negative length ${n} at byte ${this.pos}`);
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  fixed(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

type NamedTypes = Map<string, AvroSchema>;

function resolve(schema: AvroSchema, named: NamedTypes): AvroSchema {
  if (typeof schema === 'string') {
    const n = named.get(schema);
    if (n) return n;
    return schema;
  }
  return schema;
}

function register(schema: AvroSchema, named: NamedTypes): void {
  if (typeof schema === 'string') return;
  if (Array.isArray(schema)) return schema.forEach((s) => register(s, named));
  const s = schema as { type: string; name?: string; fields?: AvroField[]; items?: AvroSchema; values?: AvroSchema };
  if ((s.type === 'record' || s.type === 'fixed' || s.type === 'enum') && s.name) named.set(s.name, schema);
  if (s.type === 'record') s.fields!.forEach((f) => register(f.type, named));
  if (s.type === 'array') register(s.items!, named);
  if (s.type === 'map') register(s.values!, named);
}

function decode(r: Reader, schema: AvroSchema, named: NamedTypes): unknown {
  schema = resolve(schema, named);
  if (typeof schema === 'string') return decodePrimitive(r, schema);
  if (Array.isArray(schema)) {
    const i = r.int();
    if (i < 0 || i >= schema.length) throw new AvroError(`union branch ${i} out of range at byte ${r.pos}`);
    return decode(r, schema[i], named);
  }
  switch (schema.type) {
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of (schema as AvroRecord).fields) out[f.name] = decode(r, f.type, named);
      return out;
    }
    case 'array': {
      const out: unknown[] = [];
      for (;;) {
        let n = r.int();
        if (n === 0) break;
        if (n < 0) { n = -n; r.long(); }
        for (let i = 0; i < n; i++) out.push(decode(r, (schema as { items: AvroSchema }).items, named));
      }
      return out;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (;;) {
        let n = r.int();
        if (n === 0) break;
        if (n < 0) { n = -n; r.long(); }
        for (let i = 0; i < n; i++) {
          const k = utf8.decode(r.bytes());
          out[k] = decode(r, (schema as { values: AvroSchema }).values, named);
        }
      }
      return out;
    }
    case 'fixed':
      return r.fixed((schema as { size: number }).size).slice();
    case 'enum':
      return (schema as { symbols: string[] }).symbols[r.int()];
    default:
      return decodePrimitive(r, schema.type as string);
  }
}

function decodePrimitive(r: Reader, type: string): unknown {
  switch (type) {
    case 'null': return null;
    case 'boolean': r.need(1); return r.buf[r.pos++] !== 0;
    case 'int': return r.int();
    case 'long': return r.long();
    case 'float': { r.need(4); const v = r.view.getFloat32(r.pos, true); r.pos += 4; return v; }
    case 'double': { r.need(8); const v = r.view.getFloat64(r.pos, true); r.pos += 8; return v; }
    case 'bytes': return r.bytes().slice();
    case 'string': return utf8.decode(r.bytes());
    default: throw new AvroError(`unknown Avro type "${type}"`);
  }
}

// ---------------------------------------------------------------- encoding

class Writer {
  buf = new Uint8Array(1024);
  pos = 0;
  private view = new DataView(this.buf.buffer);
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  long(v: bigint | number): void {
    let n = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    this.ensure(10);
    while (n >= 0x80n) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
  bytes(bytes: Uint8Array): void {
    this.long(bytes.length);
    this.raw(bytes);
  }
  float(v: number): void { this.ensure(4); this.view.setFloat32(this.pos, v, true); this.pos += 4; }
  double(v: number): void { this.ensure(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; }
  result(): Uint8Array { return this.buf.slice(0, this.pos); }
}

const utf8e = new TextEncoder();

function isNullSchema(s: AvroSchema): boolean {
  return s === 'null' || (typeof s === 'object' && !Array.isArray(s) && (s as { type: string }).type === 'null');
}

function encode(w: Writer, schema: AvroSchema, value: unknown, named: NamedTypes, at: string): void {
  schema = resolve(schema, named);
  if (Array.isArray(schema)) {
    // Iceberg only writes ["null", T] unions: pick null for null/undefined, else the first non-null branch.
    const idx = value === null || value === undefined ? schema.findIndex(isNullSchema) : schema.findIndex((s) => !isNullSchema(s));
    if (idx < 0) throw new AvroError(`value at ${at} does not fit the union ${JSON.stringify(schema)}`);
    w.long(idx);
    return encode(w, schema[idx], value, named, at);
  }
  const type = typeof schema === 'string' ? schema : (schema.type as string);
  switch (type) {
    case 'null': return;
    case 'boolean': w.ensure(1); w.buf[w.pos++] = value ? 1 : 0; return;
    case 'int': case 'long':
      if (value === null || value === undefined) throw new AvroError(`missing required ${type} at ${at}`);
      return w.long(value as number | bigint);
    case 'float': return w.float(Number(value));
    case 'double': return w.double(Number(value));
    case 'bytes': return w.bytes(value as Uint8Array);
    case 'string': return w.bytes(utf8e.encode(String(value)));
    case 'fixed': {
      const b = value as Uint8Array;
      if (b.length !== (schema as { size: number }).size) throw new AvroError(`fixed at ${at} needs ${(schema as { size: number }).size} bytes, got ${b.length}`);
      return w.raw(b);
    }
    case 'record': {
      const obj = (value ?? {}) as Record<string, unknown>;
      for (const f of (schema as AvroRecord).fields) encode(w, f.type, obj[f.name], named, `${at}.${f.name}`);
      return;
    }
    case 'array': {
      const arr = (value ?? []) as unknown[];
      if (arr.length) {
        w.long(arr.length);
        for (let i = 0; i < arr.length; i++) encode(w, (schema as { items: AvroSchema }).items, arr[i], named, `${at}[${i}]`);
      }
      w.long(0);
      return;
    }
    case 'map': {
      const entries = Object.entries((value ?? {}) as Record<string, unknown>);
      if (entries.length) {
        w.long(entries.length);
        for (const [k, v] of entries) { w.bytes(utf8e.encode(k)); encode(w, (schema as { values: AvroSchema }).values, v, named, `${at}.${k}`); }
      }
      w.long(0);
      return;
    }
    default:
      throw new AvroError(`cannot encode Avro type "${type}" at ${at}`);
  }
}

// ---------------------------------------------------------------- container files

export interface AvroFile {
  schema: AvroSchema;
  /** Header metadata other than `avro.schema` / `avro.codec`, decoded as UTF-8. */
  metadata: Record<string, string>;
  codec: string;
  records: Record<string, unknown>[];
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as unknown as ArrayBuffer]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as unknown as ArrayBuffer]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Read a whole object container file. Errors say what is wrong; callers add the file name. */
export async function readAvroFile(bytes: Uint8Array): Promise<AvroFile> {
  if (bytes.length < 4 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new AvroError('not an Avro object container file (the first bytes are not "Obj\\x01")');
  }
  const r = new Reader(bytes);
  r.pos = 4;
  const meta = decode(r, { type: 'map', values: 'bytes' }, new Map()) as Record<string, Uint8Array>;
  const sync = r.fixed(16).slice();
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) metadata[k] = utf8.decode(v);
  const schemaText = metadata['avro.schema'];
  if (!schemaText) throw new AvroError('the header has no avro.schema');
  const codec = metadata['avro.codec'] ?? 'null';
  delete metadata['avro.schema'];
  delete metadata['avro.codec'];
  if (codec !== 'null' && codec !== 'deflate') throw new AvroError(`unsupported Avro codec "${codec}" (null and deflate are supported)`);
  let schema: AvroSchema;
  try {
    schema = JSON.parse(schemaText) as AvroSchema;
  } catch {
    throw new AvroError('the header schema is not valid JSON');
  }
  const named: NamedTypes = new Map();
  register(schema, named);
  const records: Record<string, unknown>[] = [];
  while (r.pos < bytes.length) {
    const count = r.int();
    const size = r.int();
    let block = r.fixed(size);
    const marker = r.fixed(16);
    if (marker.some((b, i) => b !== sync[i])) throw new AvroError(`sync marker mismatch after the block ending at byte ${r.pos}; the file is corrupt`);
    if (codec === 'deflate') {
      try {
        block = await inflateRaw(block);
      } catch (err) {
        throw new AvroError(`a deflate block does not decompress (${(err as Error).message})`);
      }
    }
    const br = new Reader(block);
    for (let i = 0; i < count; i++) records.push(decode(br, schema, named) as Record<string, unknown>);
  }
  return { schema, metadata, codec, records };
}

/**
 * Write an object container file with one block. `sync` must be 16 bytes; callers derive it
 * from the file name so rebuilding a warehouse gives byte-identical files.
 */
export async function writeAvroFile(opts: {
  schema: AvroSchema;
  metadata: Record<string, string>;
  records: unknown[];
  sync: Uint8Array;
  codec?: 'null' | 'deflate';
}): Promise<Uint8Array> {
  const codec = opts.codec ?? 'null';
  const named: NamedTypes = new Map();
  register(opts.schema, named);
  const w = new Writer();
  w.raw(new Uint8Array(MAGIC));
  const meta: Record<string, Uint8Array> = { 'avro.schema': utf8e.encode(JSON.stringify(opts.schema)), 'avro.codec': utf8e.encode(codec) };
  for (const [k, v] of Object.entries(opts.metadata)) meta[k] = utf8e.encode(v);
  encode(w, { type: 'map', values: 'bytes' }, meta, new Map(), 'header');
  w.raw(opts.sync);
  if (opts.records.length) {
    const body = new Writer();
    opts.records.forEach((rec, i) => encode(body, opts.schema, rec, named, `record ${i}`));
    let block = body.result();
    if (codec === 'deflate') block = await deflateRaw(block);
    w.long(opts.records.length);
    w.long(block.length);
    w.raw(block);
    w.raw(opts.sync);
  }
  return w.result();
}

/** 16 bytes derived from a string (FNV-1a variants), for deterministic sync markers. */
export function syncMarkerFor(seed: string): Uint8Array {
  const out = new Uint8Array(16);
  let h = 0x811c9dc5;
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i) + round;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out[round * 4] = h & 0xff;
    out[round * 4 + 1] = (h >>> 8) & 0xff;
    out[round * 4 + 2] = (h >>> 16) & 0xff;
    out[round * 4 + 3] = (h >>> 24) & 0xff;
  }
  return out;
}

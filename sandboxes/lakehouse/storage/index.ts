/**
 * Storage backends for the lakehouse. `Storage` is the only way the library touches bytes.
 *
 * - MemoryStorage: scratch warehouses and tests.
 * - HttpStorage: the read-only prebuilt warehouse the site ships (`writeHttpIndex` at build).
 * - OpfsStorage: a learner's own warehouse in the browser.
 * - NodeFsStorage: Node only; import it from './node-fs.ts' directly so browser bundles
 *   never pull in `node:fs`.
 * - rebaseLocation / makeResolver: map paths written by other engines onto a table dir.
 */
export { StorageError, type Storage, type StorageErrorCode } from './storage.ts';
export { MemoryStorage } from './memory.ts';
export { HttpStorage, writeHttpIndex, HTTP_INDEX_FILE, type HttpIndex } from './http.ts';
export { OpfsStorage } from './opfs.ts';
export { rebaseLocation, makeResolver, stripScheme } from './rebase.ts';

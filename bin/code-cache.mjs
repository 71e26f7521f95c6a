// Runs a CommonJS bundle of dist/ (scripts/build.mjs) through V8's code cache: the bytecode of
// the functions the last run compiled is read from a file beside the bundle instead of the
// 1–4 MB of JavaScript being parsed and compiled again on every start. Node 20 has no code cache
// for ES modules (module.enableCompileCache is Node 22), hence CommonJS bundles run by vm.Script.
//
// A cache is only ever given to V8 for the bundle it was made from: its name carries the bundle's
// content hash (which the build writes into the entry) and the Node version and flags (V8 refuses
// a cache made under others), and its header the size and modification time of the bundle file it
// was made beside and a SHA-1 of its bytes. V8 itself checks little more than the
// source's length, and a damaged cache it accepts can abort the process, so a cache that does not
// match in every one of these is not read, and is replaced. It is written once, when there was
// none or it was not read: after the command line has done its work (at exit), or a while after a
// service started (`writeAfterMs`, on a timer that keeps no process alive) — into a temporary file
// of its own, synced, then renamed into place, so that a cache file is always whole. Where dist/
// cannot be written (an image run by an unprivileged user) nothing is serialised or written, and
// every start compiles, as before.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const MAGIC = 'perfpay code cache 1';

/**
 * Runs the bundle at `url` as Node runs a CommonJS module (exports, require, module, __filename,
 * __dirname). `hash` is the bundle's content hash; `writeAfterMs` is when to write the cache if
 * it has to be: 'exit' for a process that ends when its work is done, or milliseconds after start.
 * Says whether a cache was there and given to V8, which took it ('read'), whether one was there
 * and not used (not this bundle's, damaged, or refused by V8: 'refused'), or there was none
 * ('none'); with --enable-source-maps, the bundle is required as it is, without a cache ('source maps').
 */
export function runCached(url, hash, writeAfterMs) {
  const filename = fileURLToPath(url);
  if (process.sourceMapsEnabled) {
    // Node maps stack traces through the bundle's source map only for what its own loader compiled
    createRequire(import.meta.url)(filename);
    return 'source maps';
  }
  const runtime = `${process.version} ${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  const cacheFile = `${filename}.${hash}.${sha1(runtime).slice(0, 8)}.cache`;
  const fd = openSync(filename, 'r');
  let source;
  let stamp;
  try {
    // not the inode: an image's build stage writes the cache, and copying dist/ into the image keeps sizes and times but not inodes
    const { size, mtimeMs } = fstatSync(fd);
    stamp = `${size} ${mtimeMs}`;
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const found = readCache(cacheFile, stamp);
  // the wrapper Node's CommonJS loader uses, on the bundle's first line (its source map's lines stay
  // as they are); strict, as the ES modules it was built from are and as the ESM bundles ran
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { 'use strict'; ${source}\n})`, {
    filename,
    cachedData: found ?? undefined,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const read = found instanceof Buffer && !script.cachedDataRejected;
  if (!read) {
    const write = () => writeCache(script, cacheFile, stamp);
    if (writeAfterMs === 'exit') process.once('exit', write);
    else setTimeout(write, writeAfterMs).unref();
  }
  const module = { exports: {}, filename, id: '.', loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
  module.loaded = true;
  return read ? 'read' : found === undefined ? 'none' : 'refused';
}

/** The cache's bytes for V8; null when there is a file but it is not this bundle's or not whole; undefined when there is none. */
function readCache(cacheFile, stamp) {
  let file;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  // the header: three lines, the magic, the bundle's stamp and the SHA-1 of what follows
  let at = 0;
  const lines = [];
  for (let k = 0; k < 3; k++) {
    const end = file.indexOf(10, at);
    if (end < 0 || end - at > 200) return null;
    lines.push(file.toString('latin1', at, end));
    at = end + 1;
  }
  const data = file.subarray(at);
  if (lines[0] !== MAGIC || lines[1] !== stamp || lines[2] !== sha1(data)) return null;
  return data;
}

/**
 * The compiled functions' bytecode, written beside the bundle with its header. The temporary file
 * is made first, so that where the directory cannot be written nothing is serialised.
 */
function writeCache(script, cacheFile, stamp) {
  const temporary = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd;
  try {
    fd = openSync(temporary, 'wx');
  } catch {
    return;
  }
  try {
    const data = script.createCachedData();
    writeFileSync(fd, Buffer.concat([Buffer.from(`${MAGIC}\n${stamp}\n${sha1(data)}\n`, 'latin1'), data]));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, cacheFile);
  } catch {
    try {
      if (fd !== undefined) closeSync(fd);
      unlinkSync(temporary);
    } catch {
      // closed or gone already
    }
  }
}

function sha1(data) {
  return createHash('sha1').update(data).digest('hex');
}

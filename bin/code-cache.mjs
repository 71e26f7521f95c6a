// Runs a CommonJS bundle of dist/ (scripts/build.mjs) through V8's code cache: the bytecode of
// the functions the last run compiled is read from a file beside the bundle instead of the
// 1–4 MB of JavaScript being parsed and compiled again on every start. Node 20 has no code cache
// for ES modules (module.enableCompileCache is Node 22), hence CommonJS bundles run by vm.Script.
//
// The cache file is named after the bundle's content hash (which the build writes into the entry)
// and the Node version and flags (V8 refuses a cache made under others), so that it never belongs
// to another build; V8 checks it again and refuses what does not fit, and the bundle is then
// compiled from its source as without a cache. It is written once, when there was none or it
// was refused: after the command line has done its work (at exit), or a while after a service
// started (`writeAfterMs`, on a timer that keeps no process alive), to a temporary file renamed
// into place. Where dist/ cannot be written (an image run by an unprivileged user) nothing is
// written and every start compiles, as before.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * Runs the bundle at `url` as Node runs a CommonJS module (exports, require, module, __filename,
 * __dirname). `hash` is the bundle's content hash; `writeAfterMs` is when to write the cache if
 * it has to be: 'exit' for a process that ends when its work is done, or milliseconds after start.
 * Says whether a cache was there and V8 took it ('read'), refused it ('refused') or there was none
 * ('none'); with --enable-source-maps, the bundle is required as it is, without a cache ('source maps').
 */
export function runCached(url, hash, writeAfterMs) {
  const filename = fileURLToPath(url);
  if (process.sourceMapsEnabled) {
    // Node maps stack traces through the bundle's source map only for what its own loader compiled
    createRequire(import.meta.url)(filename);
    return 'source maps';
  }
  const cacheFile = `${filename}.${hash}.${createHash('sha1')
    .update(`${process.version} ${process.execArgv.join(' ')}`)
    .digest('hex')
    .slice(0, 8)}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(filename, 'utf8');
  // the wrapper Node's CommonJS loader uses, on the bundle's first line (its source map's lines stay
  // as they are); strict, as the ES modules it was built from are and as the ESM bundles ran
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { 'use strict'; ${source}\n})`, {
    filename,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    const write = () => writeCache(script, cacheFile);
    if (writeAfterMs === 'exit') process.once('exit', write);
    else setTimeout(write, writeAfterMs).unref();
  }
  const module = { exports: {}, filename, id: '.', loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
  module.loaded = true;
  return cachedData === undefined ? 'none' : script.cachedDataRejected ? 'refused' : 'read';
}

/** The compiled functions' bytecode, written beside the bundle; a directory that cannot be written is left as it is. */
function writeCache(script, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // never written
    }
  }
}

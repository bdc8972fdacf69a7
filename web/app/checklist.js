// checklist is the form's view of the WebAssembly engine (web/shared/engine.js):
// load a template once by its digest, then evaluate answers against it.

import * as engine from '../shared/engine.js';

const digests = new WeakMap();

export async function load(document) {
  if (digests.has(document)) return digests.get(document);
  const loaded = await engine.call('load', document);
  digests.set(document, loaded.digest);
  return loaded.digest;
}

export async function evaluate(document, input) {
  const digest = await load(document);
  try {
    return await engine.call('evaluate', { digest, ...input });
  } catch (error) {
    if (error.code !== 'unknown_template') throw error;
    digests.delete(document);
    return engine.call('evaluate', { digest: await load(document), ...input });
  }
}

// checklist is the form's view of the WebAssembly engine (web/shared/engine.js):
// a template is parsed once, then every answer re-evaluates it synchronously
// with the server's own code.

const forms = new WeakMap();

export async function load(document) {
  if (!forms.has(document)) {
    // Imported when a form opens: the first screen never waits for it.
    const engine = await (await import('../shared/engine.js')).loadEngine();
    forms.set(document, engine.load(document));
  }
  return forms.get(document);
}

export async function evaluate(document, input) {
  const form = await load(document);
  return form.evaluate(input.answers, input.context, input.inspector_id);
}

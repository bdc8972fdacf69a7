// The checklist engine in the browser: the Go package checklists compiled to
// WebAssembly (cmd/engine-wasm), so the form evaluates visibility, required,
// gates, expected values, scoring and findings with the code the server runs.
//
//   const engine = await loadEngine();          // once; later calls share it
//   const form = engine.load(template);         // parse + validate once
//   const result = form.evaluate(answers, context, inspectorId);  // whole
//   const session = form.session(answers, context, inspectorId);  // a form
//   const { paths } = session.change({ key: answer });  // per answer: session.result
//
// decodeQR(imageData) reads a checkpoint's QR code from a camera frame where
// the browser has no BarcodeDetector (Safari on iPhones); encodeQR(text)
// makes the QR code one phone shows another (a countersign handed over).
//
// Every call takes and returns plain objects (the JSON the API speaks);
// results have the shape of checklists.Result. Failures throw EngineError.
// The .wasm URL is fixed at build time (PATROLSYNC_ENGINE_WASM, defined by
// web/build), so the service worker can cache it with the shell.

import "go:wasm_exec";

/** An engine call that failed: code is invalid_template (see problems),
 * unknown_template, bad_request or unknown_call. */
export class EngineError extends Error {
  constructor(failure) {
    super(failure.message);
    this.name = "EngineError";
    this.code = failure.code;
    this.problems = failure.problems || [];
  }
}

let loading = null;

/** loadEngine fetches and starts the WebAssembly engine once. A failed load
 * (offline before the first visit) is retried by the next call. */
export function loadEngine() {
  if (!loading) {
    loading = start().catch((error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

async function start() {
  const go = new globalThis.Go();
  const ready = new Promise((resolve) => {
    globalThis.patrolsyncEngineReady = resolve;
  });
  const { instance } = await instantiate(PATROLSYNC_ENGINE_WASM, go.importObject);
  go.run(instance).then(() => {
    // The Go program only ends when it crashed: start afresh next time.
    loading = null;
  });
  await ready;
  delete globalThis.patrolsyncEngineReady;
  return new Engine(globalThis.patrolsyncEngine, globalThis.patrolsyncDecodeQR, globalThis.patrolsyncEncodeQR);
}

async function instantiate(url, imports) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`engine: ${url} answered ${response.status}`);
  }
  if (WebAssembly.instantiateStreaming && response.headers.get("Content-Type") === "application/wasm") {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

function asJSON(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Engine calls the Go engine synchronously; get one from loadEngine(). */
export class Engine {
  constructor(call, qr, qrEncode) {
    this.call = call;
    this.qr = qr;
    this.qrEncode = qrEncode;
  }

  /** encodeQR makes the QR code of a text (internal/qrscan): {size,
   * modules} with modules one "1" (dark) or "0" per module, row by row,
   * quiet zone included. Throws EngineError bad_request when the text is
   * too long for a QR code. */
  encodeQR(text) {
    const response = JSON.parse(this.qrEncode(text));
    if (!response.ok) throw new EngineError(response.error);
    return response.result;
  }

  /** decodeQR reads a QR code from a camera frame (canvas ImageData, or
   * {width, height, data} with RGBA bytes): the text, or null when the
   * frame holds no readable code. For browsers without BarcodeDetector. */
  decodeQR(image) {
    const response = JSON.parse(this.qr(image.width, image.height, image.data));
    if (response.ok) return response.result.text;
    if (response.error.code === "no_code") return null;
    throw new EngineError(response.error);
  }

  /** invoke runs one bridge call and returns its result or throws. */
  invoke(name, request) {
    const response = JSON.parse(this.call(name, asJSON(request)));
    if (!response.ok) {
      throw new EngineError(response.error);
    }
    return response.result;
  }

  /** validate checks a template as the server does on save and publish:
   * {valid: true, digest} or {valid: false, problems: [{path, message}]}. */
  validate(template) {
    try {
      const { digest } = this.invoke("validate", template);
      return { valid: true, digest, problems: [] };
    } catch (error) {
      if (error instanceof EngineError && error.code === "invalid_template") {
        return { valid: false, digest: "", problems: error.problems };
      }
      throw error;
    }
  }

  /** load parses a template once for repeated evaluation. */
  load(template) {
    const { digest } = this.invoke("load", template);
    return new Form(this, digest, template);
  }

  /** evaluate parses the template and evaluates the answers in one call.
   * references are the site's reference values as pulled (reference_value
   * records); the server judges a submission with its own. */
  evaluate(template, answers, context = {}, inspectorId = "", references = null) {
    const request = {
      template: typeof template === "string" ? JSON.parse(template) : template,
      answers: answers || {},
      context: context || {},
      inspector_id: inspectorId || "",
    };
    if (references && Object.keys(references).length) request.references = references;
    return this.invoke("evaluate", request);
  }

  /** sample answers a template as a diligent inspector would (for previews). */
  sample(template, pass = true) {
    return this.invoke("sample", { template: typeof template === "string" ? JSON.parse(template) : template, pass });
  }

  /** answerDigest is checklists.AnswerDigest of one answer ({value, note?,
   * media?}; its countersign is left out): what a countersigner signs, and
   * the content_digest of a drawn signature medium. */
  answerDigest(answer) {
    return this.invoke("answerDigest", answer || {}).digest;
  }

  /** countersignMessage is the exact text a countersigner's Ed25519 key
   * signs (checklists.CountersignSubject.Message), from {inspection_id,
   * item, answer_sha256, user_id, key_id, signed_at}; sign its UTF-8 bytes. */
  countersignMessage(subject) {
    return this.invoke("countersignMessage", subject).message;
  }

  /** contentDigest is checklists.ContentDigest of any JSON value: the
   * content_digest of a shift handover, which both guards sign. */
  contentDigest(value) {
    return this.invoke("contentDigest", value).digest;
  }
}

/** Form is a loaded template. */
export class Form {
  constructor(engine, digest, template) {
    this.engine = engine;
    this.digest = digest;
    this.template = template;
  }

  /** session opens a Session on the answers so far. */
  session(answers, context = {}, inspectorId = "") {
    return new Session(this, answers, context, inspectorId);
  }

  /** evaluate returns checklists.Result for the answers so far. */
  evaluate(answers, context = {}, inspectorId = "", references = null) {
    const request = { digest: this.digest, answers: answers || {}, context: context || {}, inspector_id: inspectorId || "" };
    if (references && Object.keys(references).length) request.references = references;
    try {
      return this.engine.invoke("evaluate", request);
    } catch (error) {
      // The engine keeps a bounded number of templates: load again.
      if (error instanceof EngineError && error.code === "unknown_template") {
        this.digest = this.engine.load(this.template).digest;
        return this.engine.invoke("evaluate", { ...request, digest: this.digest });
      }
      throw error;
    }
  }
}

/** Session is one form being filled in, kept inside the engine: after an
 * answer only that answer goes in and only what it changed comes out
 * (checklists/bridge, "open" and "change"). result is the whole current
 * checklists.Result, kept up to date here. */
export class Session {
  constructor(form, answers, context = {}, inspectorId = "") {
    this.form = form;
    this.answers = { ...(answers || {}) };
    this.context = context || {};
    this.inspectorId = inspectorId || "";
    this.result = null;
    this.id = "";
    this.open();
  }

  open() {
    const request = { digest: this.form.digest, answers: this.answers, context: this.context, inspector_id: this.inspectorId };
    let opened;
    try {
      opened = this.form.engine.invoke("open", request);
    } catch (error) {
      if (!(error instanceof EngineError) || error.code !== "unknown_template") throw error;
      this.form.digest = this.form.engine.load(this.form.template).digest;
      opened = this.form.engine.invoke("open", { ...request, digest: this.form.digest });
    }
    this.id = opened.session;
    this.result = opened.result;
    return this.result;
  }

  /** change sets answers ({key: answer}, null removes one) and returns the
   * paths whose state changed; this.result is the whole new result. */
  change(answers) {
    for (const [key, answer] of Object.entries(answers)) {
      if (answer === null || answer === undefined) delete this.answers[key];
      else this.answers[key] = answer;
    }
    let changes;
    try {
      changes = this.form.engine.invoke("change", { session: this.id, answers });
    } catch (error) {
      // The engine keeps a bounded number of sessions: open it again.
      if (!(error instanceof EngineError) || error.code !== "unknown_session") throw error;
      const before = this.result;
      this.open();
      return { paths: changedPaths(before, this.result), whole: true };
    }
    const result = this.result;
    for (const key of ["visible", "required"]) {
      for (const [path, flag] of Object.entries(changes[key] || {})) {
        if (flag === null) delete result[key][path];
        else result[key][path] = flag;
      }
    }
    for (const key of ["sections", "blocked", "missing", "errors", "failed", "critical_failed", "findings", "countersigns", "incidents"]) {
      if (changes[key]) result[key] = changes[key];
    }
    result.outcome = changes.outcome;
    result.score = changes.score;
    return { paths: changes.paths, whole: false };
  }

  /** close lets the engine forget the session. */
  close() {
    if (this.id) this.form.engine.invoke("close", { session: this.id });
    this.id = "";
  }
}

// changedPaths is every path of either result: a reopened session draws
// all again.
function changedPaths(before, after) {
  return [...new Set([...Object.keys((before && before.visible) || {}), ...Object.keys(after.visible)])];
}

/** call runs one bridge call by name ("validate", "load", "evaluate",
 * "sample", "answerDigest", "countersignMessage", "contentDigest"; see checklists/bridge) and resolves to its result, or rejects
 * with an EngineError. */
export async function call(name, request) {
  return (await loadEngine()).invoke(name, request);
}

/** decodeQR is Engine.decodeQR after loading the engine. */
export async function decodeQR(image) {
  return (await loadEngine()).decodeQR(image);
}

/** encodeQR is Engine.encodeQR after loading: a countersign handed over by QR. */
export async function encodeQR(text) {
  return (await loadEngine()).encodeQR(text);
}

/** validate, evaluate and sample are the one-shot async forms. */
export async function validate(template) {
  return (await loadEngine()).validate(template);
}

export async function evaluate(template, answers, context = {}, inspectorId = "", references = null) {
  return (await loadEngine()).evaluate(template, answers, context, inspectorId, references);
}

export async function sample(template, pass = true) {
  return (await loadEngine()).sample(template, pass);
}

export async function answerDigest(answer) {
  return (await loadEngine()).answerDigest(answer);
}

export async function contentDigest(value) {
  return (await loadEngine()).contentDigest(value);
}

export async function countersignMessage(subject) {
  return (await loadEngine()).countersignMessage(subject);
}

package checklists

// CanonicalAnswer is canonicalAnswer, for the tests that hold it to the
// three-pass form.
var CanonicalAnswer = canonicalAnswer

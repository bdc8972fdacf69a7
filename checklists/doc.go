// Package checklists is the checklist engine: the inspection template format,
// its validation, the conditional logic (JSON Logic) that shows, requires and
// fails items, scoring, and the standard template library.
//
// The package is also the specification a mobile client implements: the same
// template and the same answers must give the same Result on a phone and on
// the server, which is why rules are JSON Logic and why the shared vectors in
// testdata/logic exist.
//
// It must never touch a database, the network, the clock or the file system
// (other than its embedded files), and it must import nothing outside the
// standard library and its rule and schema libraries: the server, the sync
// simulator and test tools all embed it.
package checklists

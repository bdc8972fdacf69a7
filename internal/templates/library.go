package templates

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// libraryEntry is one standard template ready to store.
type libraryEntry struct {
	doc       *checklists.Template
	canonical string
	digest    string
}

// library parses the embedded standard templates once per process.
var library = sync.OnceValues(func() ([]libraryEntry, error) {
	docs, err := checklists.Library()
	if err != nil {
		return nil, err
	}
	entries := make([]libraryEntry, len(docs))
	for i, doc := range docs {
		canonical, err := marshal(doc)
		if err != nil {
			return nil, err
		}
		entries[i] = libraryEntry{doc: doc, canonical: canonical, digest: checklists.Digest(doc)}
	}
	return entries, nil
})

// SeedLibrary gives the organisation acting in ctx every template of the
// standard library (checklists.Library) as published version 1, inside tx.
// A key the organisation already has is left alone, so running it again
// adds only what is missing. Its signature is org.Seeder's: org creation
// calls it in the transaction that creates the organisation.
func (s *Service) SeedLibrary(ctx context.Context, tx *store.Tx) error {
	const op = "templates.SeedLibrary"
	entries, err := library()
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	existing, err := tx.TemplateKeys()
	if err != nil {
		return errs.E(op, err)
	}
	p, _ := principal.From(ctx)
	for _, entry := range entries {
		if existing[entry.doc.Key] {
			continue
		}
		row := store.Template{ID: uuid.Must(uuid.NewV7()).String(), Key: entry.doc.Key, Status: Published,
			PublishedVersion: 1}
		setDraft(&row, entry.doc, entry.canonical)
		if err := tx.CreateTemplate(&row); err != nil {
			return errs.E(op, err)
		}
		version := store.TemplateVersion{ID: uuid.Must(uuid.NewV7()).String(), TemplateID: row.ID, Number: 1,
			Title: row.Title, Category: row.Category, Document: entry.canonical, Digest: entry.digest,
			PublishedAt: tx.Now, PublishedBy: p.UserID}
		if err := tx.CreateTemplateVersion(&version); err != nil {
			return errs.E(op, err)
		}
		if err := recordVersion(tx, row.Key, version); err != nil {
			return errs.E(op, err)
		}
		audit.Append(tx, "template.published", "template", row.ID, map[string]any{"key": row.Key, "number": 1,
			"digest": entry.digest, "source": "library"})
	}
	return nil
}

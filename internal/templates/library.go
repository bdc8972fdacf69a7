package templates

import (
	"context"
	"slices"
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
	for _, entry := range entries {
		if existing[entry.doc.Key] {
			continue
		}
		if err := seedOne(ctx, tx, entry); err != nil {
			return errs.E(op, err)
		}
	}
	return nil
}

// seedOne stores one standard template as published version 1.
func seedOne(ctx context.Context, tx *store.Tx, entry libraryEntry) error {
	p, _ := principal.From(ctx)
	row := store.Template{ID: uuid.Must(uuid.NewV7()).String(), Key: entry.doc.Key, Status: Published,
		PublishedVersion: 1}
	setDraft(&row, entry.doc, entry.canonical)
	if err := tx.CreateTemplate(&row); err != nil {
		return err
	}
	version := store.TemplateVersion{ID: uuid.Must(uuid.NewV7()).String(), TemplateID: row.ID, Number: 1,
		Title: row.Title, Category: row.Category, Document: entry.canonical, Digest: entry.digest,
		PublishedAt: tx.Now, PublishedBy: p.UserID}
	if err := tx.CreateTemplateVersion(&version); err != nil {
		return err
	}
	if err := recordVersion(tx, row.Key, version); err != nil {
		return err
	}
	audit.Append(tx, "template.published", "template", row.ID, map[string]any{"key": row.Key, "number": 1,
		"digest": entry.digest, "source": "library"})
	return nil
}

// Library upgrade outcomes, per standard template.
const (
	UpgradeAdded    = "added"    // the organisation had no template of this key: seeded
	UpgradeUpgraded = "upgraded" // the library's current version published as the next version
	UpgradeCurrent  = "current"  // the latest version is the library's current one already
	UpgradeEdited   = "edited"   // the organisation published or drafted its own: kept
	UpgradeArchived = "archived" // archived by the organisation: kept
)

// LibraryUpgrade is what the upgrade did, or would do (PreviewLibrary), to
// one standard template.
type LibraryUpgrade struct {
	Key string `json:"key"`
	// TemplateID is nil only in a preview of a key the organisation lacks.
	TemplateID *string `json:"template_id"`
	// Title is the library document's, so that a template still to be
	// added can be named.
	Title   checklists.Text `json:"title"`
	Outcome string          `json:"outcome"`
	// FromNumber and ToNumber are the latest version before and after
	// (equal when nothing was published).
	FromNumber int    `json:"from_number"`
	ToNumber   int    `json:"to_number"`
	Digest     string `json:"digest"` // the latest version's after the upgrade
}

// UpgradeLibrary brings the organisation's standard templates up to the
// library this server ships (checklists.Library): a template whose latest
// published version is an earlier library release (checklists.
// LibraryReleases), with no unpublished draft changes, gets the current
// library document published as its next version; one the organisation
// published or drafted itself, or archived, is kept as it is; a key it
// lacks is seeded. Inspections keep the version they pinned. Each version
// published is audited as template.published with source library-upgrade.
//
// It is an administrator's action, not a start-up job: a new version
// changes what guards are asked and how they are scored, so a bank's
// security department decides when that happens (and can read the
// outcome, or the preview before), like any other publish.
func (s *Service) UpgradeLibrary(ctx context.Context) ([]LibraryUpgrade, error) {
	const op = "templates.UpgradeLibrary"
	entries, releases, err := libraryReleases()
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	out := make([]LibraryUpgrade, 0, len(entries))
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		for _, entry := range entries {
			outcome, row, err := planOne(tx, entry, releases[entry.doc.Key])
			if err == nil {
				outcome, err = applyOne(ctx, tx, entry, outcome, row)
			}
			if err != nil {
				return err
			}
			out = append(out, outcome)
		}
		return nil
	})
	if err != nil {
		return nil, errs.E(op, err)
	}
	return out, nil
}

// PreviewLibrary answers what UpgradeLibrary would do now, template by
// template, and writes nothing: the administrator sees which templates
// have a newer library version and which are kept as the organisation's
// own before deciding.
func (s *Service) PreviewLibrary(ctx context.Context) ([]LibraryUpgrade, error) {
	const op = "templates.PreviewLibrary"
	entries, releases, err := libraryReleases()
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	tx := s.db.Read(ctx)
	out := make([]LibraryUpgrade, 0, len(entries))
	for _, entry := range entries {
		outcome, _, err := planOne(tx, entry, releases[entry.doc.Key])
		if err != nil {
			return nil, errs.E(op, err)
		}
		out = append(out, outcome)
	}
	return out, nil
}

// libraryReleases is the parsed library with every key's released digests.
func libraryReleases() ([]libraryEntry, map[string][]string, error) {
	entries, err := library()
	if err != nil {
		return nil, nil, err
	}
	releases, err := checklists.LibraryReleases()
	return entries, releases, err
}

// planOne decides what the upgrade does to one standard template, without
// writing; row is the organisation's template (nil when it lacks the key).
func planOne(tx *store.Tx, entry libraryEntry, releases []string) (LibraryUpgrade, *store.Template, error) {
	result := LibraryUpgrade{Key: entry.doc.Key, Title: entry.doc.Title}
	row, err := tx.TemplateByKey(entry.doc.Key)
	if errs.Is(err, errs.NotFound) {
		result.Outcome, result.ToNumber, result.Digest = UpgradeAdded, 1, entry.digest
		return result, nil, nil
	}
	if err != nil {
		return LibraryUpgrade{}, nil, err
	}
	result.TemplateID, result.FromNumber, result.ToNumber = &row.ID, row.PublishedVersion, row.PublishedVersion
	if row.PublishedVersion == 0 {
		result.Outcome = UpgradeEdited // a draft the organisation never published
		return result, &row, nil
	}
	latest, err := tx.TemplateVersion(row.ID, row.PublishedVersion)
	if err != nil {
		return LibraryUpgrade{}, nil, err
	}
	result.Digest = latest.Digest
	switch {
	case row.Status == Archived:
		result.Outcome = UpgradeArchived
	case latest.Digest == entry.digest:
		result.Outcome = UpgradeCurrent
	case !slices.Contains(releases, latest.Digest) || row.DraftDigest != latest.Digest:
		result.Outcome = UpgradeEdited
	default:
		result.Outcome, result.ToNumber, result.Digest = UpgradeUpgraded, row.PublishedVersion+1, entry.digest
	}
	return result, &row, nil
}

// applyOne carries out planOne's decision: it seeds a missing key or
// publishes the library document as the next version.
func applyOne(ctx context.Context, tx *store.Tx, entry libraryEntry, plan LibraryUpgrade, row *store.Template) (LibraryUpgrade, error) {
	switch plan.Outcome {
	case UpgradeAdded:
		if err := seedOne(ctx, tx, entry); err != nil {
			return LibraryUpgrade{}, err
		}
		seeded, err := tx.TemplateByKey(entry.doc.Key)
		plan.TemplateID = &seeded.ID
		return plan, err
	case UpgradeUpgraded:
		before, err := tx.TemplateVersion(row.ID, row.PublishedVersion)
		if err != nil {
			return LibraryUpgrade{}, err
		}
		setDraft(row, entry.doc, entry.canonical)
		version, err := publish(ctx, tx, row)
		if err != nil {
			return LibraryUpgrade{}, err
		}
		if err := tx.UpdateTemplate(row, row.Version); err != nil {
			return LibraryUpgrade{}, err
		}
		audit.Append(tx, "template.library_upgraded", "template", row.ID, map[string]any{"key": row.Key,
			"from_number": plan.FromNumber, "from_digest": before.Digest, "number": version.Number,
			"digest": version.Digest, "source": "library-upgrade"})
		plan.ToNumber, plan.Digest = version.Number, version.Digest
	}
	return plan, nil
}

// Package templates manages checklist templates: drafts that administrators
// edit, versions frozen at publish with their digest, archiving, and the
// standard library every new organisation starts with. It never changes a
// published version, and never shows a draft to anyone but an
// administrator.
package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Template statuses. A published template may carry a draft with unpublished
// changes; an archived one can no longer be assigned or changed, but it and
// its versions stay readable.
const (
	Draft     = "draft"
	Published = "published"
	Archived  = "archived"
)

// Service holds the template use cases.
type Service struct {
	db *store.DB
}

// NewService builds the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// VersionInfo describes one published version without its document.
type VersionInfo struct {
	ID          string          `json:"id"`
	TemplateID  string          `json:"template_id"`
	Key         string          `json:"key"`
	Number      int             `json:"number"`
	Title       checklists.Text `json:"title"`
	Category    string          `json:"category"`
	Digest      string          `json:"digest"`
	PublishedAt time.Time       `json:"published_at"`
	PublishedBy string          `json:"published_by"`
}

// Version is a published version with its document.
type Version struct {
	VersionInfo
	Document json.RawMessage `json:"document"`
}

// Template as shown to clients. Administrators see the draft's title and
// category and, on single reads, the draft itself; everyone else sees the
// latest published version's and never the draft.
type Template struct {
	ID            string          `json:"id"`
	Key           string          `json:"key"`
	Status        string          `json:"status"`
	Title         checklists.Text `json:"title"`
	Category      string          `json:"category"`
	Version       int64           `json:"version"`
	LatestVersion *VersionInfo    `json:"latest_version"`
	DraftDigest   string          `json:"draft_digest,omitempty"`
	Draft         json.RawMessage `json:"draft,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// Input creates a draft.
type Input struct {
	ID       string          `json:"id"`
	Document json.RawMessage `json:"document"`
}

// Patch replaces the draft document.
type Patch struct {
	Document json.RawMessage `json:"document"`
	Version  *int64          `json:"version"` // when set, the change applies only to this version
}

// Filter narrows List.
type Filter struct {
	Status   string
	Key      string
	Category string
}

// Create adds a draft template; its key is the document's.
func (s *Service) Create(ctx context.Context, in Input) (Template, error) {
	const op = "templates.Create"
	fields := map[string]string{}
	id := checkID(in.ID, fields)
	doc, canonical, err := parseDocument(in.Document, fields)
	if err != nil {
		return Template{}, errs.E(op, err)
	}
	if len(fields) > 0 {
		return Template{}, errs.Fields(op, fields)
	}
	row := store.Template{ID: id, Key: doc.Key, Status: Draft}
	setDraft(&row, doc, canonical)
	err = s.db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateTemplate(&row) })
	if errs.Is(err, errs.Conflict) {
		return Template{}, errs.E(op, errs.Conflict, "a template with this id or key already exists", err)
	}
	return view(ctx, row, nil, true), errs.Wrap(op, err)
}

// Get reads one template with its latest version summary (and, for
// administrators, the draft). A template without a published version is
// absent for everyone but administrators.
func (s *Service) Get(ctx context.Context, id string) (Template, error) {
	const op = "templates.Get"
	tx := s.db.Read(ctx)
	row, err := visibleTemplate(ctx, tx, id)
	if err != nil {
		return Template{}, errs.E(op, err)
	}
	latest, err := tx.LatestTemplateVersions([]string{row.ID})
	if err != nil {
		return Template{}, errs.E(op, err)
	}
	return view(ctx, row, latestOf(latest, row), true), nil
}

// List lists the templates the caller may see, without documents.
func (s *Service) List(ctx context.Context, f Filter, page store.Page) ([]Template, string, error) {
	const op = "templates.List"
	if f.Status != "" && f.Status != Draft && f.Status != Published && f.Status != Archived {
		return nil, "", errs.Fields(op, map[string]string{"/status": "must be one of draft, published, archived"})
	}
	filter := store.TemplateFilter{Status: f.Status, Key: f.Key, Category: f.Category, PublishedOnly: !isAdmin(ctx)}
	tx := s.db.Read(ctx)
	rows, next, err := tx.ListTemplates(filter, page)
	if err != nil {
		return nil, "", errs.E(op, err)
	}
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	latest, err := tx.LatestTemplateVersions(ids)
	if err != nil {
		return nil, "", errs.E(op, err)
	}
	out := make([]Template, len(rows))
	for i, row := range rows {
		out[i] = view(ctx, row, latestOf(latest, row), false)
	}
	return out, next, nil
}

// Update replaces the draft document of a template that is not archived.
// The key cannot change.
func (s *Service) Update(ctx context.Context, id string, patch Patch) (Template, error) {
	const op = "templates.Update"
	fields := map[string]string{}
	doc, canonical, err := parseDocument(patch.Document, fields)
	if err != nil {
		return Template{}, errs.E(op, err)
	}
	var row store.Template
	var latest map[string]store.TemplateVersion
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if row, err = tx.Template(id); err != nil {
			return err
		}
		if row.Status == Archived {
			return errs.E(op, errs.Conflict, "an archived template cannot be changed")
		}
		if doc != nil && doc.Key != row.Key {
			fields["/document/key"] = "must stay " + row.Key + ": a template's key never changes"
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		expected := row.Version
		if patch.Version != nil {
			expected = *patch.Version
		}
		setDraft(&row, doc, canonical)
		if err := tx.UpdateTemplate(&row, expected); err != nil {
			return err
		}
		latest, err = tx.LatestTemplateVersions([]string{row.ID})
		return err
	})
	if err != nil {
		return Template{}, errs.E(op, err)
	}
	return view(ctx, row, latestOf(latest, row), true), nil
}

// Archive makes a template unassignable. It and its versions stay readable.
// expected, when set, is the version the caller last saw.
func (s *Service) Archive(ctx context.Context, id string, expected *int64) (Template, error) {
	const op = "templates.Archive"
	var row store.Template
	var latest map[string]store.TemplateVersion
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if row, err = tx.Template(id); err != nil {
			return err
		}
		if row.Status == Archived {
			return errs.E(op, errs.Conflict, "the template is archived already")
		}
		version := row.Version
		if expected != nil {
			version = *expected
		}
		row.Status = Archived
		if err := tx.UpdateTemplate(&row, version); err != nil {
			return err
		}
		audit.Append(tx, "template.archived", "template", row.ID, map[string]any{"key": row.Key})
		latest, err = tx.LatestTemplateVersions([]string{row.ID})
		return err
	})
	if err != nil {
		return Template{}, errs.E(op, err)
	}
	return view(ctx, row, latestOf(latest, row), true), nil
}

// visibleTemplate reads a template the caller may see: administrators see
// every template, others only those with a published version.
func visibleTemplate(ctx context.Context, tx *store.Tx, id string) (store.Template, error) {
	row, err := tx.Template(id)
	if err == nil && !isAdmin(ctx) && row.PublishedVersion == 0 {
		err = errs.E("templates.visible", errs.NotFound, "not found")
	}
	return row, err
}

// seesDrafts: admins and auditors see unpublished templates and versions.
func isAdmin(ctx context.Context) bool {
	p, _ := principal.From(ctx)
	return principal.OrgWide(p.Role)
}

// parseDocument validates a template document, adding every problem to
// fields under /document, and returns it with its canonical JSON. An error
// is returned only for faults that are not the document's.
func parseDocument(raw json.RawMessage, fields map[string]string) (*checklists.Template, string, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		fields["/document"] = "required: a checklist template document"
		return nil, "", nil
	}
	doc, err := checklists.Parse(raw)
	var invalid *checklists.ValidationError
	if errors.As(err, &invalid) {
		for _, problem := range invalid.Problems {
			pointer := "/document" + problem.Path
			if fields[pointer] != "" {
				fields[pointer] += "; " + problem.Message
			} else {
				fields[pointer] = problem.Message
			}
		}
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	canonical, err := marshal(doc)
	return doc, canonical, err
}

// marshal encodes a template the way Digest does, so that the stored JSON
// holds the content in declaration order.
func marshal(doc *checklists.Template) (string, error) {
	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(doc); err != nil {
		return "", err
	}
	return strings.TrimRight(buffer.String(), "\n"), nil
}

// setDraft puts a validated document into the row as its draft.
func setDraft(row *store.Template, doc *checklists.Template, canonical string) {
	row.Title = textJSON(doc.Title)
	row.Category = doc.Category
	row.Draft = canonical
	row.DraftDigest = checklists.Digest(doc)
}

func textJSON(text checklists.Text) string {
	b, _ := json.Marshal(text) // a map of strings always encodes
	return string(b)
}

func parseText(raw string) checklists.Text {
	text := checklists.Text{}
	_ = json.Unmarshal([]byte(raw), &text) // written by textJSON
	return text
}

// checkID accepts a client-chosen UUID or makes a v7 one.
func checkID(id string, fields map[string]string) string {
	if id == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	parsed, err := uuid.Parse(id)
	if err != nil {
		fields["/id"] = "must be a UUID"
		return id
	}
	return parsed.String()
}

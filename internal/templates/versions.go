package templates

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Publish freezes the draft as a new version numbered one past the latest,
// with its digest. Publishing a draft identical to the latest version is a
// Conflict, and so is publishing an archived template. expected, when set,
// is the version the caller last saw.
func (s *Service) Publish(ctx context.Context, id string, expected *int64) (Template, error) {
	const op = "templates.Publish"
	var row store.Template
	var frozen store.TemplateVersion
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if row, err = tx.Template(id); err != nil {
			return err
		}
		if row.Status == Archived {
			return errs.E(op, errs.Conflict, "an archived template cannot be published")
		}
		if expected != nil && *expected != row.Version {
			return errs.E(op, errs.Stale, "the record changed since it was read")
		}
		if frozen, err = publish(ctx, tx, &row); err != nil {
			return err
		}
		return tx.UpdateTemplate(&row, row.Version)
	})
	if err != nil {
		return Template{}, errs.E(op, err)
	}
	latest := map[string]store.TemplateVersion{row.ID: frozen}
	return view(ctx, row, latestOf(latest, row), true), nil
}

// publish writes the next version of row from its draft and points row at it.
func publish(ctx context.Context, tx *store.Tx, row *store.Template) (store.TemplateVersion, error) {
	const op = "templates.Publish"
	fields := map[string]string{}
	doc, canonical, err := parseDocument(json.RawMessage(row.Draft), fields)
	if err != nil {
		return store.TemplateVersion{}, err
	}
	if len(fields) > 0 {
		// Drafts are validated when written; only a stricter engine gets here.
		return store.TemplateVersion{}, errs.Fields(op, fields)
	}
	digest := checklists.Digest(doc)
	if row.PublishedVersion > 0 {
		latest, err := tx.TemplateVersion(row.ID, row.PublishedVersion)
		if err != nil {
			return store.TemplateVersion{}, err
		}
		if latest.Digest == digest {
			return store.TemplateVersion{}, errs.E(op, errs.Conflict,
				"the draft is unchanged since version "+strconv.Itoa(latest.Number)+": nothing to publish")
		}
	}
	p, _ := principal.From(ctx)
	version := store.TemplateVersion{ID: uuid.Must(uuid.NewV7()).String(), TemplateID: row.ID,
		Number: row.PublishedVersion + 1, Title: textJSON(doc.Title), Category: doc.Category, Document: canonical,
		Digest: digest, PublishedAt: tx.Now, PublishedBy: p.UserID}
	err = tx.CreateTemplateVersion(&version)
	if errs.Is(err, errs.Conflict) {
		err = errs.E(op, errs.Conflict, "someone else published this template at the same time", err)
	}
	if err != nil {
		return store.TemplateVersion{}, err
	}
	if err := recordVersion(tx, row.Key, version); err != nil {
		return store.TemplateVersion{}, err
	}
	row.PublishedVersion, row.Status = version.Number, Published
	audit.Append(tx, "template.published", "template", row.ID, map[string]any{"key": row.Key, "number": version.Number,
		"digest": version.Digest})
	version.Document = ""
	return version, nil
}

// Versions lists a template's published versions, oldest first.
func (s *Service) Versions(ctx context.Context, id string, page store.Page) ([]VersionInfo, string, error) {
	const op = "templates.Versions"
	tx := s.db.Read(ctx)
	row, err := visibleTemplate(ctx, tx, id)
	if err != nil {
		return nil, "", errs.E(op, err)
	}
	rows, next, err := tx.ListTemplateVersions(row.ID, page)
	if err != nil {
		return nil, "", errs.E(op, err)
	}
	out := make([]VersionInfo, len(rows))
	for i, v := range rows {
		out[i] = versionInfo(v, row.Key)
	}
	return out, next, nil
}

// Version reads one published version with its document. Versions stay
// readable forever, also after later publishes and after archiving.
func (s *Service) Version(ctx context.Context, id string, number int) (Version, error) {
	const op = "templates.Version"
	tx := s.db.Read(ctx)
	row, err := visibleTemplate(ctx, tx, id)
	if err != nil {
		return Version{}, errs.E(op, err)
	}
	v, err := tx.TemplateVersion(row.ID, number)
	if err != nil {
		return Version{}, errs.E(op, err)
	}
	doc, err := decodeVersion(v)
	if err != nil {
		return Version{}, errs.E(op, err)
	}
	canonical, err := marshal(doc)
	if err != nil {
		return Version{}, errs.E(op, errs.Internal, err)
	}
	return Version{VersionInfo: versionInfo(v, row.Key), Document: json.RawMessage(canonical)}, nil
}

// PinnedVersion returns the engine's template for version number of a
// template of the caller's organisation, whatever its status: an inspection
// started on a version is checked against that version forever. The stored
// digest is checked, so a document that changed in the database is an
// Internal error rather than a silent difference.
func (s *Service) PinnedVersion(ctx context.Context, templateID string, number int) (*checklists.Template, VersionInfo, error) {
	const op = "templates.PinnedVersion"
	v, err := s.db.Read(ctx).TemplateVersion(templateID, number)
	if err != nil {
		return nil, VersionInfo{}, errs.E(op, err)
	}
	doc, err := decodeVersion(v)
	if err != nil {
		return nil, VersionInfo{}, errs.E(op, err)
	}
	return doc, versionInfo(v, doc.Key), nil
}

// LatestPublished returns the latest published version of the caller's
// template with this key: what a new inspection is started on. An archived
// template is a Conflict (no longer assignable); one never published is
// NotFound.
func (s *Service) LatestPublished(ctx context.Context, key string) (*checklists.Template, VersionInfo, error) {
	const op = "templates.LatestPublished"
	row, err := s.db.Read(ctx).TemplateByKey(key)
	switch {
	case err != nil:
		return nil, VersionInfo{}, errs.E(op, err)
	case row.Status == Archived:
		return nil, VersionInfo{}, errs.E(op, errs.Conflict, "template "+key+" is archived")
	case row.PublishedVersion == 0:
		return nil, VersionInfo{}, errs.E(op, errs.NotFound, "template "+key+" has no published version")
	}
	return s.PinnedVersion(ctx, row.ID, row.PublishedVersion)
}

// decodeVersion decodes a frozen document without validating it again: a
// later, stricter engine must not make old versions unreadable.
func decodeVersion(v store.TemplateVersion) (*checklists.Template, error) {
	const op = "templates.decodeVersion"
	var doc checklists.Template
	if err := json.Unmarshal([]byte(v.Document), &doc); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if got := checklists.Digest(&doc); got != v.Digest {
		return nil, errs.E(op, errs.Internal, "version "+v.ID+" does not match its digest "+v.Digest+" (now "+got+")")
	}
	return &doc, nil
}

func versionInfo(v store.TemplateVersion, key string) VersionInfo {
	return VersionInfo{ID: v.ID, TemplateID: v.TemplateID, Key: key, Number: v.Number, Title: parseText(v.Title),
		Category: v.Category, Digest: v.Digest, PublishedAt: v.PublishedAt, PublishedBy: v.PublishedBy}
}

func latestOf(latest map[string]store.TemplateVersion, row store.Template) *VersionInfo {
	v, ok := latest[row.ID]
	if !ok {
		return nil
	}
	info := versionInfo(v, row.Key)
	return &info
}

// view shapes a template for the caller: drafts for administrators only.
func view(ctx context.Context, row store.Template, latest *VersionInfo, withDraft bool) Template {
	t := Template{ID: row.ID, Key: row.Key, Status: row.Status, Title: parseText(row.Title), Category: row.Category,
		Version: row.Version, LatestVersion: latest, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	if !isAdmin(ctx) {
		if latest != nil {
			t.Title, t.Category = latest.Title, latest.Category
		}
		return t
	}
	t.DraftDigest = row.DraftDigest
	if withDraft && row.Draft != "" {
		t.Draft = inOrder(row.Draft)
	}
	return t
}

// inOrder re-encodes a stored document in declaration order (PostgreSQL
// jsonb keeps its own key order). Drafts were validated when written.
func inOrder(document string) json.RawMessage {
	var doc checklists.Template
	if err := json.Unmarshal([]byte(document), &doc); err != nil {
		return json.RawMessage(document)
	}
	canonical, err := marshal(&doc)
	if err != nil {
		return json.RawMessage(document)
	}
	return json.RawMessage(canonical)
}

// recordVersion puts a newly published version in the change log for
// everyone in the organisation: phones fill checklists from these. The
// record is the same as GET /v1/templates/{id}/versions/{number} answers.
func recordVersion(tx *store.Tx, key string, v store.TemplateVersion) error {
	data, err := json.Marshal(Version{VersionInfo: versionInfo(v, key), Document: inOrder(v.Document)})
	if err != nil {
		return errs.E("templates.recordVersion", errs.Internal, err)
	}
	tx.RecordChange(store.Change{EntityType: "template_version", EntityID: v.ID, Op: "upsert", Version: int64(v.Number),
		Audience: store.AudienceOrg, Data: data})
	return nil
}

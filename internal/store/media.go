package store

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Media is one declared piece of evidence: a photo, a signature or an
// attachment, and where its bytes are.
type Media struct {
	ID           string
	OrgID        string
	InspectionID string
	ItemKey      string
	Kind         string
	DeclaredType string // what the phone said
	ContentType  string // what the stored bytes are (sniffed); empty until stored
	Size         int64
	SHA256       string
	ObjectKey    string
	UploadID     *string // the open multipart upload, if any
	PartSize     int64
	Status       string
	UploadedBy   string
	CapturedAt   *time.Time
	Location     []byte
	Signature    []byte
	// SignedDigest is Signature's content_digest when the row was declared
	// in this process (media.CheckFields), so that checking what it signed
	// does not decode the strokes again; empty on rows read from the
	// database, whose Signature is decoded instead. Not a column.
	SignedDigest string `gorm:"-"`
	ThumbnailKey *string
	LinkedAt     *time.Time // set while a submitted inspection's answers name it
	StoredAt     *time.Time
	DeletedAt    *time.Time
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Media reads one media row of the caller's organisation.
func (tx *Tx) Media(id string) (Media, error) {
	var row Media
	err := tx.scoped("media").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Media", err)
}

// MediaByIDs reads media rows of the caller's organisation by id.
func (tx *Tx) MediaByIDs(ids []string) (map[string]Media, error) {
	out := map[string]Media{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Media
	err := tx.scoped("media").Where("id IN ?", ids).Find(&rows).Error
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, translate("store.MediaByIDs", err)
}

// MediaOfInspections reads the live media rows declared for inspections,
// and the rows with the given ids whatever their state, and for each of
// the digests sha256s the oldest stored medium of the organisation with
// those bytes (twins, keyed by TwinKey: new declarations of the same bytes
// are stored at once), in one statement: a group of pushes declaring media
// needs both, and each statement is a round trip inside the group's
// transaction (issue 17). An id taken by another organisation (ids are
// global) comes back in taken, with nothing else of that row.
func (tx *Tx) MediaOfInspections(inspectionIDs, ids, sha256s []string) (rows []Media, taken []string, twins map[string]Media, err error) {
	const op = "store.MediaOfInspections"
	org := tx.orgOf()
	query, args := mediaOfInspectionsQuery(org, inspectionIDs, ids, sha256s)
	if query == "" {
		return nil, nil, map[string]Media{}, nil
	}
	var found []mediaOrTwin
	if err := tx.gorm.Raw(query, args...).Scan(&found).Error; err != nil {
		return nil, nil, nil, translate(op, err)
	}
	rows, taken, twins = splitMediaAndTwins(org, found)
	return rows, taken, twins, nil
}

// mediaOrTwin is a row of MediaOfInspections' query: Twin is 1 for a
// stored twin of declared bytes.
type mediaOrTwin struct {
	Media `gorm:"embedded"`
	Twin  int
}

// mediaOfInspectionsQuery is MediaOfInspections' query (gorm's ? and IN ?
// lists), or "" when it asks for nothing.
func mediaOfInspectionsQuery(org string, inspectionIDs, ids, sha256s []string) (string, []any) {
	var parts []string
	var args []any
	switch {
	case len(inspectionIDs) > 0 && len(ids) > 0:
		parts = append(parts, "SELECT *, 0 AS twin FROM media WHERE (org_id = ? AND inspection_id IN ? AND status <> 'deleted') OR id IN ?")
		args = append(args, org, inspectionIDs, ids)
	case len(inspectionIDs) > 0:
		parts = append(parts, "SELECT *, 0 AS twin FROM media WHERE org_id = ? AND inspection_id IN ? AND status <> 'deleted'")
		args = append(args, org, inspectionIDs)
	case len(ids) > 0:
		parts = append(parts, "SELECT *, 0 AS twin FROM media WHERE id IN ?")
		args = append(args, ids)
	}
	if len(sha256s) > 0 {
		parts = append(parts, "SELECT *, 1 AS twin FROM media WHERE org_id = ? AND sha256 IN ? AND status = 'stored'")
		args = append(args, org, sha256s)
	}
	return strings.Join(parts, "\nUNION ALL\n"), args
}

// splitMediaAndTwins sorts the query's rows into the organisation's media,
// the ids another organisation holds, and the stored twins by digest and
// size, the oldest winning.
func splitMediaAndTwins(org string, found []mediaOrTwin) (rows []Media, taken []string, twins map[string]Media) {
	twins = map[string]Media{}
	var stored []Media
	for _, row := range found {
		switch {
		case row.Twin == 1:
			stored = append(stored, row.Media)
		case row.OrgID == org:
			rows = append(rows, row.Media)
		default:
			taken = append(taken, row.ID)
		}
	}
	// The oldest (by creation, then id) wins.
	slices.SortFunc(stored, func(a, b Media) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	for _, row := range stored { // oldest last, so it wins
		twins[TwinKey(row.SHA256, row.Size)] = row
	}
	return rows, taken, twins
}

// TwinKey identifies bytes by digest and size.
func TwinKey(sha256hex string, size int64) string {
	return sha256hex + "/" + strconv.FormatInt(size, 10)
}

// CreateMedia inserts a declared media row; a taken id is Conflict.
func (tx *Tx) CreateMedia(row *Media) error {
	return tx.CreateMediaRows([]*Media{row})
}

// CreateMediaRows inserts declared media rows in one statement, by hand,
// without gorm: one runs for every photo and signature. A taken id is
// Conflict.
func (tx *Tx) CreateMediaRows(rows []*Media) error {
	err := tx.insertColumns("media", `id, org_id, inspection_id, item_key, kind, declared_type, content_type, size,
    sha256, object_key, upload_id, part_size, status, uploaded_by, captured_at, location, signature, thumbnail_key,
    linked_at, stored_at, deleted_at, version, created_at, updated_at`,
		"uuid, uuid, uuid, text, text, text, text, int8, text, text, text, int8, text, uuid, timestamptz, bytea, bytea, text, "+
			"timestamptz, timestamptz, timestamptz, int8, timestamptz, timestamptz", "", len(rows),
		func(i int) []any {
			row := rows[i]
			row.OrgID, row.CreatedAt, row.UpdatedAt = tx.orgOf(), tx.Now, tx.Now
			return []any{row.ID, row.OrgID, row.InspectionID, row.ItemKey, row.Kind, row.DeclaredType,
				row.ContentType, row.Size, row.SHA256, row.ObjectKey, row.UploadID, row.PartSize, row.Status, row.UploadedBy,
				row.CapturedAt, nullBytes(row.Location), nullBytes(row.Signature), row.ThumbnailKey, row.LinkedAt,
				row.StoredAt, row.DeletedAt, row.Version, row.CreatedAt, row.UpdatedAt}
		})
	return translate("store.CreateMedia", err)
}

// nullBytes is NULL for no bytes, as gorm wrote them.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// UpdateMedia writes row if it is still at version expected.
func (tx *Tx) UpdateMedia(row *Media, expected int64) error {
	row.UpdatedAt = tx.Now
	res := tx.scoped("media").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"content_type": row.ContentType, "object_key": row.ObjectKey, "upload_id": row.UploadID, "part_size": row.PartSize,
		"status": row.Status, "thumbnail_key": row.ThumbnailKey, "stored_at": row.StoredAt, "deleted_at": row.DeletedAt,
		"version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.UpdateMedia", res.Error, res.RowsAffected)
}

// HoldStoredTwin claims the stored medium whose object a new declaration
// is about to share: it bumps the twin's version if the twin is still
// stored on the object read, and is Stale otherwise. A merge or sweep
// that moves or removes the twin's object compare-and-sets the same row,
// so whichever of the two commits second notices: a merge fails its
// compare-and-set and runs again, then seeing the new row and moving it
// too; a declaration reads the twin afresh. Without it a declaration could
// point at an object a merge was deleting. Declarations sharing one twin
// do not clash with each other: none expects a version.
func (tx *Tx) HoldStoredTwin(twin Media) error {
	res := tx.scoped("media").Where("id = ? AND object_key = ? AND status = 'stored'", twin.ID, twin.ObjectKey).
		Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": tx.Now})
	return casResult("store.HoldStoredTwin", res.Error, res.RowsAffected)
}

// StoredWithBytes lists the stored media of the organisation with these
// bytes (digest and size), whatever object each points at.
func (tx *Tx) StoredWithBytes(sha256hex string, size int64) ([]Media, error) {
	var rows []Media
	err := tx.scoped("media").Where("sha256 = ? AND size = ? AND status = 'stored'", sha256hex, size).Order("id").Find(&rows).Error
	return rows, translate("store.StoredWithBytes", err)
}

// MediaOrStoredTwin reads, in one query, the row with this id (if any)
// and the oldest stored row with the same digest and size (if any), which
// a new declaration deduplicates against.
func (tx *Tx) MediaOrStoredTwin(id, sha256hex string, size int64) (existing, twin *Media, err error) {
	var rows []Media
	org := tx.orgOf()
	err = tx.gorm.Raw(`SELECT * FROM (SELECT * FROM media WHERE org_id = ? AND id = ?) AS by_id
UNION ALL
SELECT * FROM (SELECT * FROM media WHERE org_id = ? AND sha256 = ? AND size = ? AND status = 'stored'
    ORDER BY created_at, id LIMIT 1) AS stored_twin`, org, id, org, sha256hex, size).Scan(&rows).Error
	if err != nil {
		return nil, nil, translate("store.MediaOrStoredTwin", err)
	}
	for i := range rows {
		if rows[i].ID == id && existing == nil {
			existing = &rows[i]
		} else if rows[i].Status == "stored" && rows[i].SHA256 == sha256hex && twin == nil {
			twin = &rows[i]
		}
	}
	return existing, twin, nil
}

// InspectionMediaFacts is what declaring a medium needs to know about its
// inspection.
type InspectionMediaFacts struct {
	Found                   bool // false: not received yet
	SiteID, OwnerID, Status string
	MediaCount              int64 // live media declared for it
}

// InspectionMediaFacts reads, in one query, the inspection a medium is
// declared for (if it arrived) and how many live media name it.
func (tx *Tx) InspectionMediaFacts(inspectionID string) (InspectionMediaFacts, error) {
	org := tx.orgOf()
	var site, owner, status *string
	var out InspectionMediaFacts
	err := tx.queryRowFast(`SELECT i.site_id, i.owner_id, i.status,
    (SELECT count(*) FROM media m WHERE m.org_id = ? AND m.inspection_id = ? AND m.status <> 'deleted')
FROM (SELECT 1 AS one) AS one LEFT JOIN inspections i ON i.org_id = ? AND i.id = ?`,
		[]any{org, inspectionID, org, inspectionID}, &site, &owner, &status, &out.MediaCount)
	if err != nil {
		return out, translate("store.InspectionMediaFacts", err)
	}
	if site != nil && owner != nil && status != nil {
		out.Found, out.SiteID, out.OwnerID, out.Status = true, *site, *owner, *status
	}
	return out, nil
}

// LinkMedia marks, for each inspection, exactly the media ids its
// submitted answers name as linked: rows it no longer names are unlinked.
// Every id must belong to its inspection (the submit checked that), so one
// statement serves a whole group of submits: by hand, as one runs for
// every group.
func (tx *Tx) LinkMedia(named map[string][]string) error {
	if len(named) == 0 {
		return nil
	}
	var inspections, ids []any
	for inspection, list := range named {
		inspections = append(inspections, inspection)
		for _, id := range list {
			ids = append(ids, id)
		}
	}
	in := func(n int) string { return "(?" + strings.Repeat(", ?", n-1) + ")" }
	args := []any{tx.Now, tx.orgOf()}
	args = append(args, inspections...)
	var sql string
	if len(ids) == 0 {
		sql = `UPDATE media SET linked_at = NULL WHERE org_id = ? AND inspection_id IN ` + in(len(inspections)) +
			` AND linked_at IS NOT NULL`
		args = args[1:]
	} else {
		// Rows no longer named lose their link, newly named rows get one,
		// rows still named keep theirs.
		sql = `UPDATE media SET linked_at = CASE WHEN id IN ` + in(len(ids)) + ` THEN COALESCE(linked_at, ?) END
WHERE org_id = ? AND inspection_id IN ` + in(len(inspections)) + ` AND (linked_at IS NOT NULL OR id IN ` + in(len(ids)) + `)`
		args = append(append(append([]any{}, ids...), args...), ids...)
	}
	return translate("store.LinkMedia", tx.execDeferred(sql, args...))
}

// UnstoredLinkedMedia counts the media an inspection's answers name that
// are not stored yet.
func (tx *Tx) UnstoredLinkedMedia(inspectionID string) (int64, error) {
	var n int64
	err := tx.scoped("media").Where("inspection_id = ? AND linked_at IS NOT NULL AND status <> 'stored'", inspectionID).
		Count(&n).Error
	return n, translate("store.UnstoredLinkedMedia", err)
}

// OrphanMedia lists up to limit live rows never linked to a submitted
// inspection and declared before the given time.
func (tx *Tx) OrphanMedia(before time.Time, limit int) ([]Media, error) {
	var rows []Media
	err := tx.scoped("media").Where("linked_at IS NULL AND status <> 'deleted' AND created_at < ?", before).
		Where("NOT EXISTS (SELECT 1 FROM media_links l WHERE l.org_id = media.org_id AND l.media_id = media.id)").
		Order("created_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.OrphanMedia", err)
}

// MediaLink is one record naming one medium (see AddMediaLinks).
type MediaLink struct {
	MediaID    string
	RecordType string // "incident", "finding"
	RecordID   string
}

// AddMediaLinks records that records name media, so that the orphan sweep
// keeps them; a link recorded before is kept as it is.
func (tx *Tx) AddMediaLinks(links []MediaLink) error {
	if len(links) == 0 {
		return nil
	}
	org := tx.orgOf()
	err := tx.insertColumns("media_links", "org_id, media_id, record_type, record_id, created_at",
		"uuid, uuid, text, uuid, timestamptz", " ON CONFLICT DO NOTHING", len(links), func(i int) []any {
			l := links[i]
			return []any{org, l.MediaID, l.RecordType, l.RecordID, tx.Now}
		})
	return translate("store.AddMediaLinks", err)
}

// MediaLinksOf lists the records (findings, incidents) that name a medium.
func (tx *Tx) MediaLinksOf(mediaID string) ([]MediaLink, error) {
	var rows []MediaLink
	err := tx.scoped("media_links").Select("media_id, record_type, record_id").
		Where("media_id = ?", strings.ToLower(mediaID)).Order("record_type, record_id").Find(&rows).Error
	return rows, translate("store.MediaLinksOf", err)
}

// UnknownMedia returns the ids among ids that name no live medium of the
// caller's organisation.
func (tx *Tx) UnknownMedia(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var found []string
	err := tx.scoped("media").Where("id IN ? AND status <> 'deleted'", ids).Pluck("id", &found).Error
	if err != nil {
		return nil, translate("store.UnknownMedia", err)
	}
	var unknown []string
	for _, id := range ids {
		if !slices.ContainsFunc(found, func(f string) bool { return strings.EqualFold(f, id) }) {
			unknown = append(unknown, id)
		}
	}
	return unknown, nil
}

// ObjectShared reports whether a live row other than exceptID uses the
// object, so that deleting one row's bytes never breaks a deduplicated twin.
func (tx *Tx) ObjectShared(objectKey, exceptID string) (bool, error) {
	var n int64
	err := tx.scoped("media").Where("object_key = ? AND id <> ? AND status <> 'deleted'", objectKey, exceptID).Count(&n).Error
	return n > 0, translate("store.ObjectShared", err)
}

// MediaWithoutThumbnail lists stored images that still lack a thumbnail.
func (tx *Tx) MediaWithoutThumbnail(limit int) ([]Media, error) {
	var rows []Media
	err := tx.scoped("media").Where("status = 'stored' AND thumbnail_key IS NULL AND kind <> 'attachment'").
		Order("created_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.MediaWithoutThumbnail", err)
}

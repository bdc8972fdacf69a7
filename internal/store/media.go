package store

import (
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

// MediaOfInspections reads the live media rows declared for inspections.
func (tx *Tx) MediaOfInspections(inspectionIDs []string) ([]Media, error) {
	var rows []Media
	err := tx.scoped("media").Where("inspection_id IN ? AND status <> 'deleted'", inspectionIDs).Find(&rows).Error
	return rows, translate("store.MediaOfInspections", err)
}

// CreateMedia inserts a declared media row; a taken id is Conflict.
func (tx *Tx) CreateMedia(row *Media) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt = tx.orgOf(), tx.Now, tx.Now
	return translate("store.CreateMedia", tx.gorm.Table("media").Create(row).Error)
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

// CountInspectionMedia counts the live media declared for an inspection.
func (tx *Tx) CountInspectionMedia(inspectionID string) (int64, error) {
	var n int64
	err := tx.scoped("media").Where("inspection_id = ? AND status <> 'deleted'", inspectionID).Count(&n).Error
	return n, translate("store.CountInspectionMedia", err)
}

// LinkMedia marks exactly ids as named by the inspection's submitted
// answers: rows it no longer names are unlinked.
func (tx *Tx) LinkMedia(inspectionID string, ids []string) error {
	const op = "store.LinkMedia"
	if len(ids) == 0 {
		err := tx.scoped("media").Where("inspection_id = ? AND linked_at IS NOT NULL", inspectionID).
			Update("linked_at", nil).Error
		return translate(op, err)
	}
	// One statement: rows no longer named lose their link, newly named
	// rows get one, rows still named keep theirs.
	err := tx.scoped("media").Where("inspection_id = ? AND (linked_at IS NOT NULL OR id IN ?)", inspectionID, ids).
		Update("linked_at", gorm.Expr("CASE WHEN id IN ? THEN COALESCE(linked_at, ?) END", ids, tx.Now)).Error
	return translate(op, err)
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
		Order("created_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.OrphanMedia", err)
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

// Package media keeps photo, signature and attachment evidence: phones
// declare a blob (its digest, size and type), upload the bytes straight to
// the object store through presigned URLs (part by part when large), and
// the server marks it stored only after it has checked size, digest and
// sniffed type itself. It recomputes an inspection's media_pending when a
// blob lands, makes thumbnails and collects orphans in jobs. It never
// streams upload bytes through the API (except on the local store, whose
// URLs are the API's own) and never shows a blob to someone who may not see
// its inspection.
package media

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/patrolsync/patrolsync/internal/blob"
	"github.com/patrolsync/patrolsync/internal/jobs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Statuses of a media row.
const (
	Pending = "pending"
	Stored  = "stored"
	Deleted = "deleted"
)

// Kinds of media.
const (
	Photo      = "photo"
	Signature  = "signature"
	Attachment = "attachment"
)

// allowedTypes are the content types each kind may have, declared and
// sniffed.
var allowedTypes = map[string]map[string]bool{
	Photo:      {"image/jpeg": true, "image/png": true, "image/webp": true},
	Signature:  {"image/jpeg": true, "image/png": true, "image/webp": true},
	Attachment: {"image/jpeg": true, "image/png": true, "image/webp": true, "application/pdf": true},
}

// Limits bound what may be declared and how it travels.
type Limits struct {
	MaxBytes           int64         // largest blob
	MultipartThreshold int64         // above this, upload in parts
	PartSize           int64         // bytes per part (at least 5 MiB, S3's minimum)
	MaxPerInspection   int           // live media per inspection
	OrphanGrace        time.Duration // how long an unlinked blob is kept
	URLTTL             time.Duration // lifetime of upload URLs
	ReadTTL            time.Duration // lifetime of download URLs
}

// queue is what media needs from the job queue.
type queue interface {
	Enqueue(ctx context.Context, args jobs.Args) error
}

// Service runs the media use cases.
type Service struct {
	db     *store.DB
	blobs  blob.Store
	limits Limits
	log    *slog.Logger
	jobs   queue
	// twinRead, set by tests only, runs after a declaration found stored
	// bytes to share and before it records its row.
	twinRead func(twin store.Media)
}

// NewService builds the service; jobs is the queue it enqueues thumbnails
// on (nil: none are made until the sweep catches up).
func NewService(db *store.DB, blobs blob.Store, limits Limits, jobs queue, log *slog.Logger) *Service {
	if limits.URLTTL == 0 {
		limits.URLTTL = time.Hour
	}
	if limits.ReadTTL == 0 {
		limits.ReadTTL = 5 * time.Minute
	}
	if limits.PartSize < blob.MinPartSize {
		limits.PartSize = blob.MinPartSize
	}
	return &Service{db: db, blobs: blobs, limits: limits, jobs: jobs, log: log}
}

// View is a media row as clients see it.
type View struct {
	ID           string          `json:"id"`
	InspectionID string          `json:"inspection_id"`
	ItemKey      string          `json:"item_key"`
	Kind         string          `json:"kind"`
	ContentType  string          `json:"content_type"`
	Size         int64           `json:"size"`
	SHA256       string          `json:"sha256"`
	Status       string          `json:"status"`
	CapturedAt   *time.Time      `json:"captured_at"`
	Location     json.RawMessage `json:"location"`
	Signature    json.RawMessage `json:"signature"`
	HasThumbnail bool            `json:"has_thumbnail"`
	StoredAt     *time.Time      `json:"stored_at"`
	CreatedAt    time.Time       `json:"created_at"`
}

// ViewOf is a medium as the API shows it.
func ViewOf(row store.Media) View {
	contentType := row.ContentType
	if contentType == "" {
		contentType = row.DeclaredType
	}
	return View{ID: row.ID, InspectionID: row.InspectionID, ItemKey: row.ItemKey, Kind: row.Kind,
		ContentType: contentType, Size: row.Size, SHA256: row.SHA256, Status: row.Status, CapturedAt: row.CapturedAt,
		Location: rawOrNull(row.Location), Signature: rawOrNull(row.Signature),
		HasThumbnail: row.ThumbnailKey != nil && *row.ThumbnailKey != "", StoredAt: row.StoredAt, CreatedAt: row.CreatedAt}
}

func rawOrNull(raw []byte) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// ObjectKey is where the bytes of an organisation's medium go.
func ObjectKey(orgID, id string) string { return "orgs/" + orgID + "/media/" + id }

// thumbnailKey is where a media row's thumbnail goes.
func thumbnailKey(orgID, id string) string { return "orgs/" + orgID + "/thumbnails/" + id + ".jpg" }

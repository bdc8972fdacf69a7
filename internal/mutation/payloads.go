package mutation

import "encoding/json"

// The payloads, one per mutation type (answer.set and answer.clear share
// one). Optional fields are omitted when empty, so that a device sends no
// more than it means; the server decodes them strictly (an unknown field
// is rejected), which omitempty does not change.

// StartInspection is inspection.start's payload.
type StartInspection struct {
	TemplateID string `json:"template_id"`
	// TemplateVersion is the published version's number.
	TemplateVersion json.Number     `json:"template_version"`
	SiteID          string          `json:"site_id"`
	AssignmentID    *string         `json:"assignment_id,omitempty"`
	RoundID         *string         `json:"round_id,omitempty"`
	StartedAt       string          `json:"started_at,omitempty"` // RFC 3339
	Context         json.RawMessage `json:"context,omitempty"`    // the values the template compares answers with
}

// Answer is answer.set's payload (the answer at a JSON pointer) and
// answer.clear's (the pointer alone).
type Answer struct {
	Path string `json:"path"`
	// Answer is a checklists.Answer object: {"value", "note", "media",
	// "countersign"}; left out by answer.clear.
	Answer json.RawMessage `json:"answer,omitempty"`
}

// Submit is inspection.submit's payload.
type Submit struct {
	ContentHash string `json:"content_hash,omitempty"` // the device's hash of what it submits, to compare
	SubmittedAt string `json:"submitted_at,omitempty"` // RFC 3339
}

// CreateFinding is finding.create's payload.
type CreateFinding struct {
	SiteID       string   `json:"site_id"`
	Title        string   `json:"title"`
	Description  string   `json:"description,omitempty"`
	Severity     string   `json:"severity"`
	InspectionID *string  `json:"inspection_id,omitempty"`
	ItemPath     string   `json:"item_path,omitempty"`
	DueAt        string   `json:"due_at,omitempty"` // RFC 3339
	AssigneeID   *string  `json:"assignee_id,omitempty"`
	Media        []string `json:"media,omitempty"`
}

// FindingPatch is finding.update's payload: the fields the device changed,
// each with its new value (null clears it), merged field by field against
// the mutation's base_version.
type FindingPatch map[string]json.RawMessage

// ScanCheckpoint is checkpoint.scan's payload.
type ScanCheckpoint struct {
	RoundID      string    `json:"round_id"`
	TagCode      string    `json:"tag_code"`
	CheckpointID string    `json:"checkpoint_id,omitempty"`
	ScannedAt    string    `json:"scanned_at"` // the device's time of the read, RFC 3339
	Location     *Location `json:"location,omitempty"`
}

// Location is the API's one location format (media, scans, location
// answers).
type Location struct {
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	AccuracyM *float64 `json:"accuracy_m,omitempty"`
	GPSTime   string   `json:"gps_time,omitempty"` // RFC 3339
}

// Declare is media.declare's payload, and the body of POST /v1/media:
// what a phone says about a blob before sending it. In a mutation the
// medium's id is the entity_id, and ID is left out.
type Declare struct {
	ID           string          `json:"id,omitempty"`
	SHA256       string          `json:"sha256"`
	Size         int64           `json:"size"`
	ContentType  string          `json:"content_type"`
	Kind         string          `json:"kind"`
	InspectionID string          `json:"inspection_id"`
	ItemKey      string          `json:"item_key,omitempty"`
	CapturedAt   string          `json:"captured_at,omitempty"`
	Location     json.RawMessage `json:"location,omitempty"`
	Signature    *Signature      `json:"signature,omitempty"`
}

// Signature is what a signature carries besides its image: the strokes as
// drawn, who signed in which role and when, and the digest of the
// inspection content they saw when signing.
type Signature struct {
	Strokes       json.RawMessage `json:"strokes"` // [[[x, y], ...], ...]
	SignerUserID  string          `json:"signer_user_id,omitempty"`
	SignerName    string          `json:"signer_name,omitempty"`
	SignerRole    string          `json:"signer_role"`
	SignedAt      string          `json:"signed_at"`      // RFC 3339
	ContentDigest string          `json:"content_digest"` // SHA-256 (hex) of the content signed
}

// ReportIncident is incident.report's payload.
type ReportIncident struct {
	SiteID      string   `json:"site_id"`
	Type        string   `json:"type"`
	Category    string   `json:"category,omitempty"` // robbery, fire, network, ...; "" is other
	Level       string   `json:"level"`
	Place       string   `json:"place,omitempty"`
	OccurredAt  string   `json:"occurred_at"` // RFC 3339
	Description string   `json:"description,omitempty"`
	Media       []string `json:"media,omitempty"`
	// Answers are the category's questions (the incident-report template),
	// each an answer as answer.set carries it.
	Answers   map[string]json.RawMessage `json:"answers,omitempty"`
	Witnesses []IncidentWitness          `json:"witnesses,omitempty"`
	CCTV      []IncidentCCTV             `json:"cctv,omitempty"`
}

// IncidentWitness is someone who saw an incident.
type IncidentWitness struct {
	Name      string `json:"name"`
	Phone     string `json:"phone,omitempty"`
	Statement string `json:"statement,omitempty"`
}

// IncidentCCTV names a recording to keep: which camera, from when to when.
type IncidentCCTV struct {
	Camera string `json:"camera"`
	From   string `json:"from"`
	To     string `json:"to"`
	Note   string `json:"note,omitempty"`
}

// FollowUpIncident is incident.follow_up's payload.
type FollowUpIncident struct {
	Note  string   `json:"note,omitempty"`
	Media []string `json:"media,omitempty"`
}

// AcknowledgePlan is plan.acknowledge: the user read this version (the
// current one) of the emergency plan entity_id (issue 16, item 3).
type AcknowledgePlan struct {
	Version int `json:"version"`
}

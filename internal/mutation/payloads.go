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
	// DrillID names the scheduled drill this inspection (of the drill's
	// template) records: the drill is held by it, as REST's record.
	DrillID *string `json:"drill_id,omitempty"`
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

// DrawnSignature is a signature drawn on the screen by the signed-in
// person: the strokes as drawn ([[[x, y], ...], ...]) and when.
type DrawnSignature struct {
	Strokes  json.RawMessage `json:"strokes"`
	SignedAt string          `json:"signed_at,omitempty"` // RFC 3339, the device's time
}

// HandoverItems is what the outgoing guard hands over (issue 16 item 4;
// the record the seeds suggest: open matters, equipment state, keys and
// items, remarks).
type HandoverItems struct {
	OpenMatters  string `json:"open_matters,omitempty"` // open incidents, hazards, tasks
	Equipment    string `json:"equipment"`              // CCTV, alarms, doors: their state
	KeysAndItems string `json:"keys_and_items,omitempty"`
	Remarks      string `json:"remarks,omitempty"`
}

// StartHandover is handover.start: the outgoing guard (the signed-in
// person) writes the handover and signs it; entity_id is the handover's
// id. POST /v1/handovers takes the same body (with an optional id).
type StartHandover struct {
	ID             string         `json:"id,omitempty"`
	SiteID         string         `json:"site_id"`
	Post           string         `json:"post,omitempty"`
	ShiftID        *string        `json:"shift_id,omitempty"`
	IncomingUserID string         `json:"incoming_user_id"`
	HandedAt       string         `json:"handed_at"` // RFC 3339
	Items          HandoverItems  `json:"items"`
	Signature      DrawnSignature `json:"signature"`
	// Incoming is the incoming guard's signature taken on this same phone,
	// when they sign at once: without it they sign later on their own
	// phone (handover.sign).
	Incoming *IncomingSignature `json:"incoming,omitempty"`
}

// IncomingSignature is the incoming guard's signature drawn on the
// outgoing guard's phone, with the proof that it is theirs: their own
// countersign key, on their own phone, signed the handover's content
// (handed over by QR with no network, as a countersign is), over the
// message duties.HandoverMessage gives (docs/sync-protocol.md, "Shift
// handover on one phone").
type IncomingSignature struct {
	Strokes   json.RawMessage `json:"strokes"`
	KeyID     string          `json:"key_id"`
	SignedAt  string          `json:"signed_at"` // RFC 3339, exactly as signed
	Signature string          `json:"signature"` // Ed25519, standard base64
}

// SignHandover is handover.sign: the incoming guard (the signed-in
// person) signs the content they read, named by its digest.
type SignHandover struct {
	ContentDigest string         `json:"content_digest"`
	Signature     DrawnSignature `json:"signature"`
}

// WriteDutyLog is duty_log.write: a line of the duty log (值班日志);
// entity_id is the entry's id. POST /v1/duty-log takes the same body.
type WriteDutyLog struct {
	ID         string  `json:"id,omitempty"`
	SiteID     string  `json:"site_id"`
	ShiftID    *string `json:"shift_id,omitempty"`
	Kind       string  `json:"kind"`
	Text       string  `json:"text"`
	OccurredAt string  `json:"occurred_at"` // RFC 3339
}

// AttendTraining is training.attend: the signed-in person signs the
// attendance sheet of the training session entity_id.
type AttendTraining struct {
	Signature DrawnSignature `json:"signature"`
}

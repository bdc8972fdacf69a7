package checklists

// Result is everything Evaluate found, all at once, so that a phone can show
// every problem on one screen and the server can reject a submission with
// every field error. Paths are JSON pointers into the answers
// ("/extinguishers/1/pressure_ok"). Lists are in document order and are
// never null in JSON.
type Result struct {
	// Outcome is pass, fail or incomplete.
	Outcome string `json:"outcome"`
	// Score is the total percent 0–100, rounded to two decimals; 100 when
	// nothing scorable was answered (nothing was lost).
	Score    float64         `json:"score"`
	Sections []SectionResult `json:"sections"`
	// Visible and Required hold every item path the answers reach.
	Visible  map[string]bool `json:"visible"`
	Required map[string]bool `json:"required"`
	// Blocked are gated items whose requires_passed items have not passed
	// yet: they may not be answered and are not required.
	Blocked []string `json:"blocked"`
	// Missing are required items without an answer.
	Missing []string     `json:"missing"`
	Errors  []FieldError `json:"errors"`
	// Failed are items whose answer failed; CriticalFailed the subset that
	// fails the whole inspection.
	Failed         []string  `json:"failed"`
	CriticalFailed []string  `json:"critical_failed"`
	Findings       []Finding `json:"findings"`
	// Incidents are the incidents failed items raise (IncidentRule).
	Incidents []RaisedIncident `json:"incidents"`
	// Countersigns lists every countersignature given, so that the server
	// can check the countersigner holds the role asked for.
	Countersigns []CountersignCheck `json:"countersigns"`
}

// Outcomes.
const (
	OutcomePass       = "pass"
	OutcomeFail       = "fail"
	OutcomeIncomplete = "incomplete"
)

// FieldError is one thing wrong with one answer.
type FieldError struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// SectionResult is the score of one section.
type SectionResult struct {
	Key     string  `json:"key"`
	Visible bool    `json:"visible"`
	Weight  float64 `json:"weight"`
	Earned  float64 `json:"earned"`
	// Possible is the weight of the scorable answers; 0 means the section
	// does not count in a category-weighted total.
	Possible float64 `json:"possible"`
	Percent  float64 `json:"percent"`
}

// Finding is a hidden hazard raised by a failed item.
type Finding struct {
	Path     string `json:"path"`
	ItemKey  string `json:"item_key"`
	Severity string `json:"severity"`
	DueHours int    `json:"due_hours"`
	// DueDate is the agreed rectify-by date ("2026-12-20") read from the
	// rule's due_from item; empty when the rule has none or it is
	// unanswered, and the finding is due DueHours after it is raised.
	DueDate string `json:"due_date,omitempty"`
	Title   Text   `json:"title"`
}

// RaisedIncident is an incident raised by a failed item.
type RaisedIncident struct {
	Path     string `json:"path"`
	ItemKey  string `json:"item_key"`
	Category string `json:"category"`
	Level    string `json:"level"`
	Title    Text   `json:"title"`
}

// CountersignCheck is a countersignature the server checks against its
// users and their keys (existence, site, role, credential), with the
// server's verdict once it has judged it.
type CountersignCheck struct {
	Path             string `json:"path"`
	UserID           string `json:"user_id"`
	Role             string `json:"role"`
	SignatureMediaID string `json:"signature_media_id,omitempty"`
	KeyID            string `json:"key_id,omitempty"`
	SignedAt         string `json:"signed_at,omitempty"`
	Signature        string `json:"signature,omitempty"`
	// AnswerSHA256 is AnswerDigest of the countersigned answer: what the
	// countersigner's signature must cover.
	AnswerSHA256 string              `json:"answer_sha256"`
	Verdict      *CountersignVerdict `json:"verdict,omitempty"`
}

// Error codes of FieldError.Code.
const (
	CodeUnknownItem        = "unknown_item"
	CodeHidden             = "hidden"
	CodeNotAnswerable      = "not_answerable"
	CodeWrongType          = "wrong_type"
	CodeUnknownOption      = "unknown_option"
	CodeSelectionCount     = "selection_count"
	CodeDecimals           = "decimals"
	CodeTooLong            = "too_long"
	CodePattern            = "pattern"
	CodePhotoCount         = "photo_count"
	CodeMediaID            = "media_id"
	CodeDate               = "date"
	CodeTime               = "time"
	CodeDateTime           = "datetime"
	CodeLocation           = "location"
	CodeLocationAccuracy   = "location_accuracy"
	CodeScanMethod         = "scan_method"
	CodeNoExpectedTag      = "no_expected_tag"
	CodeContextMissing     = "context_missing"
	CodeReferenceMissing   = "reference_missing"
	CodeGated              = "gated"
	CodeCountersignMissing = "countersign_missing"
	CodeCountersignSelf    = "countersign_self"
	CodeSignatureMissing   = "signature_missing"
	CodePhotosRequired     = "photos_required"
	CodeRepeatCount        = "repeat_count"
	CodeRule               = "rule"
)

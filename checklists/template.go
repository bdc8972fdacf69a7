package checklists

// Template is one checklist document. A published template is immutable;
// inspections pin the digest of the version they were started on.
type Template struct {
	// Schema lets editors find the JSON Schema; it is not content and is
	// left out of the digest.
	Schema        string    `json:"$schema,omitempty"`
	Key           string    `json:"key"`
	Title         Text      `json:"title"`
	Description   Text      `json:"description,omitempty"`
	Category      string    `json:"category,omitempty"`
	Sources       []Source  `json:"sources,omitempty"`
	PassThreshold float64   `json:"pass_threshold,omitempty"`
	Scoring       string    `json:"scoring,omitempty"`
	Sections      []Section `json:"sections"`
}

// Scoring modes.
const (
	ScoringItems    = "items"
	ScoringSections = "sections"
)

// Source cites where in the regulations a template's items come from.
type Source struct {
	File    string `json:"file"`
	Section string `json:"section"`
	Note    string `json:"note,omitempty"`
}

// Section groups items on one screen; with scoring "sections" it is also a
// scoring category with its own weight.
type Section struct {
	Key         string   `json:"key"`
	Title       Text     `json:"title"`
	Help        Text     `json:"help,omitempty"`
	Weight      *float64 `json:"weight,omitempty"`
	VisibleWhen Rule     `json:"visible_when,omitempty"`
	Items       []Item   `json:"items"`
}

// Rule is a JSON Logic rule as decoded by encoding/json (maps, slices,
// float64, string, bool, nil), which is the form the logic library takes.
type Rule = any

// Option is one choice of a single_choice or multi_choice item.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
	// Score is the fraction of the item's weight this option earns
	// (graded answers: excellent 1, good 0.8, fair 0.6, poor 0); default 1.
	Score *float64 `json:"score,omitempty"`
	Fails bool     `json:"fails,omitempty"`
}

// FindingRule says what finding (hidden hazard) a failed item raises.
type FindingRule struct {
	Severity string `json:"severity"`
	DueHours int    `json:"due_hours"`
	Title    Text   `json:"title,omitempty"`
	// DueFrom names a date item whose answer is the agreed rectify-by
	// date (004 §3.2–3.3 整改: measure, owner, date; 限期整改): a sibling
	// in the same group repeat, else a top-level item. It may come after
	// the failed item (the date is agreed once the hazard is described),
	// because it is read after the whole form is evaluated, never by a
	// rule. Without an answer the finding falls back to DueHours.
	DueFrom string `json:"due_from,omitempty"`
}

// IncidentRule says what incident a failed item raises: the server
// reports it through the incident domain when the inspection is
// submitted (a suspicious person seen on a round, 004 §1.2 可疑行為識別與
// 報告; 003 保卫工作 "发现可疑人员、可疑车辆立即上报").
//
// Such an item is a report, not a fault: it costs no score whatever its
// weight, and it can be neither critical nor raise a finding (003 保卫工作:
// whoever reports a suspicious person has done the job). Describe names
// the items (siblings in the same group repeat, else top-level) whose
// answers say who, where and what; DescribeIncident composes the
// incident's description from them.
type IncidentRule struct {
	Category string   `json:"category"`
	Level    string   `json:"level"`
	Title    Text     `json:"title,omitempty"`
	Describe []string `json:"describe,omitempty"`
}

// IncidentCategories and IncidentLevels are the incident domain's
// (internal/incident/policy, which a test keeps equal): the engine needs
// no dependency to check a template.
var (
	IncidentCategories = []string{"robbery", "fire", "network", "equipment", "injury", "public_opinion", "other"}
	IncidentLevels     = []string{"general", "serious", "major", "critical"}
)

// Finding severities.
var Severities = []string{"low", "medium", "high", "critical"}

// Countersign makes an item a two-person item (双人): it is complete only
// with a second, different person's countersignature.
type Countersign struct {
	Role  string `json:"role"`
	Label Text   `json:"label,omitempty"`
}

// CountersignRoles are the roles a countersigner may be asked to hold.
var CountersignRoles = []string{"any", "guard", "supervisor", "witness"}

// SignerRoles are the roles a signature item may ask for. Every role but
// guard is signed by a person named on the form: an external signature
// (a visitor, an outside inspector, a cash-transport company's escort,
// 003: 押运人员身份核对), never a countersign, which stays a user's.
var SignerRoles = []string{"guard", "supervisor", "witness", "giver", "receiver", "visitor", "approver", "escort"}

// PhotoWhenFailed asks for photo evidence on a failed item.
type PhotoWhenFailed struct {
	Min int `json:"min"`
}

// Expected compares an answer with a value it must equal. Context names a
// value synced with the inspection by the device (the round's own data);
// Reference names a reference value of the site that the server keeps
// (reference data: the system cash balance of the day, the registered
// plates), which the server fills in itself when it judges a submission,
// so a phone cannot choose what it is compared with (design.md §6
// "Server-side truth"). Exactly one of the two is set. A number compares
// within Tolerance; a text answer must be one of the reference's strings
// (a list), compared without spaces and case (plates: 粤B 12345 = 粤B12345).
type Expected struct {
	Context   string  `json:"context,omitempty"`
	Reference string  `json:"reference,omitempty"`
	Tolerance float64 `json:"tolerance,omitempty"`
}

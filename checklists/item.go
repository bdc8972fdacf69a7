package checklists

// ItemType names what kind of answer an item takes.
type ItemType string

// Item types.
const (
	TypeYesNo          ItemType = "yes_no"
	TypeSingleChoice   ItemType = "single_choice"
	TypeMultiChoice    ItemType = "multi_choice"
	TypeNumber         ItemType = "number"
	TypeText           ItemType = "text"
	TypeDate           ItemType = "date"
	TypeTime           ItemType = "time"
	TypeDateTime       ItemType = "datetime"
	TypePhoto          ItemType = "photo"
	TypeSignature      ItemType = "signature"
	TypeLocation       ItemType = "location"
	TypeCheckpointScan ItemType = "checkpoint_scan"
	TypeInstruction    ItemType = "instruction"
	TypeGroup          ItemType = "group"
)

// ItemTypes lists every item type in the order the README documents them.
var ItemTypes = []ItemType{
	TypeYesNo, TypeSingleChoice, TypeMultiChoice, TypeNumber, TypeText,
	TypeDate, TypeTime, TypeDateTime, TypePhoto, TypeSignature, TypeLocation,
	TypeCheckpointScan, TypeInstruction, TypeGroup,
}

// Item is one question of a checklist. Type-specific fields are grouped by
// type below; Validate rejects a field set on the wrong type.
type Item struct {
	Key             string           `json:"key"`
	Type            ItemType         `json:"type"`
	Label           Text             `json:"label"`
	Help            Text             `json:"help,omitempty"`
	Required        bool             `json:"required,omitempty"`
	VisibleWhen     Rule             `json:"visible_when,omitempty"`
	RequiredWhen    Rule             `json:"required_when,omitempty"`
	FailWhen        Rule             `json:"fail_when,omitempty"`
	RequiresPassed  []string         `json:"requires_passed,omitempty"`
	Weight          *float64         `json:"weight,omitempty"`
	Critical        bool             `json:"critical,omitempty"`
	Finding         *FindingRule     `json:"finding,omitempty"`
	Incident        *IncidentRule    `json:"incident,omitempty"`
	Countersign     *Countersign     `json:"countersign,omitempty"`
	PhotoWhenFailed *PhotoWhenFailed `json:"photo_when_failed,omitempty"`

	// yes_no
	AllowNA bool   `json:"allow_na,omitempty"`
	Pass    string `json:"pass,omitempty"`

	// single_choice, multi_choice
	Options     []Option `json:"options,omitempty"`
	MinSelected *int     `json:"min_selected,omitempty"`
	MaxSelected *int     `json:"max_selected,omitempty"`

	// number
	Unit     string    `json:"unit,omitempty"`
	Min      *float64  `json:"min,omitempty"`
	Max      *float64  `json:"max,omitempty"`
	Decimals *int      `json:"decimals,omitempty"`
	Expected *Expected `json:"expected,omitempty"`

	// text
	MaxLength *int   `json:"max_length,omitempty"`
	Pattern   string `json:"pattern,omitempty"`
	Multiline bool   `json:"multiline,omitempty"`

	// photo
	MinCount *int `json:"min_count,omitempty"`
	MaxCount *int `json:"max_count,omitempty"`

	// signature
	SignerRole string `json:"signer_role,omitempty"`

	// location
	AccuracyM *float64 `json:"accuracy_m,omitempty"`

	// checkpoint_scan
	ExpectedTag string `json:"expected_tag,omitempty"`

	// group
	Items       []Item `json:"items,omitempty"`
	MinRepeats  *int   `json:"min_repeats,omitempty"`
	MaxRepeats  *int   `json:"max_repeats,omitempty"`
	RepeatLabel Text   `json:"repeat_label,omitempty"`
}

// DefaultMaxTextLength bounds text answers when max_length is not set.
const DefaultMaxTextLength = 2000

// passValue is the good answer of a yes_no item.
func (item *Item) passValue() string {
	if item.Pass == "" {
		return "yes"
	}
	return item.Pass
}

// scorableType reports whether the item's type has a built-in failure and so
// earns weight 1 by default.
func (item *Item) scorableType() bool {
	switch item.Type {
	case TypeYesNo, TypeSingleChoice, TypeMultiChoice, TypeCheckpointScan:
		return true
	case TypeNumber:
		return item.Min != nil || item.Max != nil || item.Expected != nil
	case TypeText:
		return item.Expected != nil // one of a reference list
	}
	return false
}

// canFail reports whether any answer can fail the item.
func (item *Item) canFail() bool {
	return item.scorableType() || item.FailWhen != nil
}

// weight is the item's effective score weight: explicit, else 1 for
// scorable types and 0 for the rest.
func (item *Item) weight() float64 {
	if item.Weight != nil {
		return *item.Weight
	}
	if item.scorableType() {
		return 1
	}
	return 0
}

// textLimit is the maximum number of characters a text answer may have.
func (item *Item) textLimit() int {
	if item.MaxLength != nil {
		return *item.MaxLength
	}
	return DefaultMaxTextLength
}

// option finds the option with value, or nil.
func (item *Item) option(value string) *Option {
	for index := range item.Options {
		if item.Options[index].Value == value {
			return &item.Options[index]
		}
	}
	return nil
}

// optionScore is the fraction an option earns (default 1).
func (option *Option) score() float64 {
	if option.Score == nil {
		return 1
	}
	return *option.Score
}

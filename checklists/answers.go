package checklists

// Input is everything Evaluate needs besides the template.
type Input struct {
	// Answers are keyed by top-level item key.
	Answers map[string]Answer `json:"answers"`
	// Context holds values synced with the inspection (system cash on
	// hand, the round's checkpoint_tag); rules see it as "context".
	Context map[string]any `json:"context,omitempty"`
	// References are the site's reference values (Expected.Reference):
	// numbers, or lists of strings. The server supplies its own; a phone's
	// preview uses what it pulled.
	References map[string]any `json:"references,omitempty"`
	// InspectorID is the user filling in the inspection; a countersigner
	// must be someone else.
	InspectorID string `json:"inspector_id,omitempty"`
	// Countersigns are the server's verdicts on the countersignatures, by
	// item path. Nil means they were not checked (a phone's preview): the
	// countersigns are listed unjudged. Non-nil means the server judged
	// them: an item whose countersignature has no verified verdict fails,
	// and the outcome is not pass.
	Countersigns map[string]CountersignVerdict `json:"countersigns,omitempty"`
	// Judge, when set, is the server judging each countersignature as the
	// evaluation meets it, instead of from Countersigns: one evaluation
	// instead of one to list them and another with the verdicts. An item
	// whose verdict is not verified fails, as with Countersigns.
	Judge func(CountersignCheck) CountersignVerdict `json:"-"`
}

// Answer is the answer to one item. Value's JSON shape depends on the item
// type (see README); a group is answered with Repeats instead.
type Answer struct {
	Value any    `json:"value,omitempty"`
	Note  string `json:"note,omitempty"`
	// Media are photo evidence ids attached to any item (photo_when_failed).
	Media       []string            `json:"media,omitempty"`
	Countersign *Countersignature   `json:"countersign,omitempty"`
	Repeats     []map[string]Answer `json:"repeats,omitempty"`
}

// Countersignature is the second person of a two-person item, with the
// proof made on their own phone: an Ed25519 signature by their key KeyID
// over CountersignSubject.Message (docs/sync-protocol.md).
type Countersignature struct {
	UserID           string `json:"user_id"`
	SignatureMediaID string `json:"signature_media_id,omitempty"`
	KeyID            string `json:"key_id,omitempty"`
	SignedAt         string `json:"signed_at,omitempty"`
	// Signature is the 64-byte Ed25519 signature, standard base64.
	Signature string `json:"signature,omitempty"`
}

// isAnswered reports whether the answer carries a value: null, "", and
// empty arrays count as not answered so that a cleared field is missing.
func (answer *Answer) isAnswered() bool {
	switch value := answer.Value.(type) {
	case nil:
		return false
	case string:
		return value != ""
	case []any:
		return len(value) > 0
	}
	return true
}

// isEmpty reports whether the answer carries nothing at all, which is the
// only acceptable answer for a hidden item.
func (answer *Answer) isEmpty() bool {
	return !answer.isAnswered() && len(answer.Media) == 0 &&
		answer.Countersign == nil && len(answer.Repeats) == 0
}

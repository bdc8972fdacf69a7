// Package mutation declares the sync protocol's mutation types once: each
// type's name, the Go type of its payload (the JSON shape the server
// decodes strictly and devices encode), and the kind of record it changes.
// The server's push (internal/syncer), the reference client
// (internal/client) and the load tool (bench) all build on this table, so
// a type or a payload field cannot mean one thing to a device and another
// to the server. docs/sync-protocol.md describes the same types for
// clients written in other languages; openapi.yaml's MutationType enum is
// checked against the server's handlers.
//
// The package depends on the standard library only, so that a client can
// import it without the server.
package mutation

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// Type names a mutation type on the wire ("inspection.start", ...).
type Type string

// The mutation types.
const (
	InspectionStart  Type = "inspection.start"
	AnswerSet        Type = "answer.set"
	AnswerClear      Type = "answer.clear"
	InspectionSubmit Type = "inspection.submit"
	FindingCreate    Type = "finding.create"
	FindingUpdate    Type = "finding.update"
	CheckpointScan   Type = "checkpoint.scan"
	MediaDeclare     Type = "media.declare"
	IncidentReport   Type = "incident.report"
	IncidentFollowUp Type = "incident.follow_up"
	PlanAcknowledge  Type = "plan.acknowledge"
	// Duties (issue 16 item 4): what guards do on their phones.
	HandoverStart  Type = "handover.start"
	HandoverSign   Type = "handover.sign"
	DutyLogWrite   Type = "duty_log.write"
	TrainingAttend Type = "training.attend"
)

// Kind is the kind of record a mutation's entity_id names.
type Kind string

// The kinds of record.
const (
	Inspection Kind = "inspection"
	Finding    Kind = "finding"
	Incident   Kind = "incident"
	Scan       Kind = "scan"
	Media      Kind = "media"
	// EmergencyPlan is an emergency plan (internal/plans); an
	// acknowledgement is written by the plan's own rule, not loaded.
	EmergencyPlan Kind = "emergency_plan"
	// Duties (internal/duties): each written by its own rule, not loaded.
	Handover     Kind = "handover"
	DutyLogEntry Kind = "duty_log_entry"
	Training     Kind = "training"
)

// Spec is one mutation type: what it changes and what it carries.
type Spec struct {
	Type Type
	// Kind is the record the entity_id names: the server loads records of
	// this kind before applying a push and writes them after.
	Kind Kind
	// NamesMedia is set for types whose payload has a "media" list of ids
	// the record links (so that the orphan sweep keeps them). Answers name
	// their media inside the answer, and are linked on submit instead.
	NamesMedia bool
	// Payload is the payload's Go type. A pointer to a new value of it is
	// what the server decodes into, strictly.
	Payload reflect.Type
}

// New returns a pointer to a new, empty payload of the type.
func (s Spec) New() any { return reflect.New(s.Payload).Interface() }

var specs = []Spec{
	{InspectionStart, Inspection, false, reflect.TypeFor[StartInspection]()},
	{AnswerSet, Inspection, false, reflect.TypeFor[Answer]()},
	{AnswerClear, Inspection, false, reflect.TypeFor[Answer]()},
	{InspectionSubmit, Inspection, false, reflect.TypeFor[Submit]()},
	{FindingCreate, Finding, true, reflect.TypeFor[CreateFinding]()},
	{FindingUpdate, Finding, false, reflect.TypeFor[FindingPatch]()},
	{CheckpointScan, Scan, false, reflect.TypeFor[ScanCheckpoint]()},
	{MediaDeclare, Media, false, reflect.TypeFor[Declare]()},
	{IncidentReport, Incident, true, reflect.TypeFor[ReportIncident]()},
	{IncidentFollowUp, Incident, true, reflect.TypeFor[FollowUpIncident]()},
	{PlanAcknowledge, EmergencyPlan, false, reflect.TypeFor[AcknowledgePlan]()},
	{HandoverStart, Handover, false, reflect.TypeFor[StartHandover]()},
	{HandoverSign, Handover, false, reflect.TypeFor[SignHandover]()},
	{DutyLogWrite, DutyLogEntry, false, reflect.TypeFor[WriteDutyLog]()},
	{TrainingAttend, Training, false, reflect.TypeFor[AttendTraining]()},
}

var byType = func() map[Type]Spec {
	out := make(map[Type]Spec, len(specs))
	for _, s := range specs {
		out[s.Type] = s
	}
	return out
}()

// Specs lists every mutation type, in the order the protocol documents
// them.
func Specs() []Spec { return append([]Spec(nil), specs...) }

// Lookup finds a type by its wire name; ok is false for a name that is no
// mutation type.
func Lookup(name string) (Spec, bool) {
	s, ok := byType[Type(name)]
	return s, ok
}

// KindOf is the kind of record a type changes ("" for an unknown name).
func KindOf(name string) Kind { return byType[Type(name)].Kind }

// Envelope is one mutation as a push carries it (docs/sync-protocol.md).
type Envelope struct {
	MutationID  string          `json:"mutation_id"`
	Type        string          `json:"type"`
	EntityID    string          `json:"entity_id"`
	BaseVersion *int64          `json:"base_version,omitempty"`
	Payload     json.RawMessage `json:"payload"`
	ClientTime  string          `json:"client_time,omitempty"`

	// decoded is the payload as the server decoded it while reading the
	// push body (WithDecoded): never on the wire.
	decoded decodedPayload
}

// decodedPayload is a payload's decoded value and the bytes it was
// decoded from (their first byte and length).
type decodedPayload struct {
	value any
	first *byte
	size  int
}

// WithDecoded is e carrying value, its Payload decoded by the server, so
// that the payload is not parsed again (issue 17). Decoded answers value
// only while e's Payload is the slice it was decoded from.
func (e Envelope) WithDecoded(value any) Envelope {
	if len(e.Payload) > 0 {
		e.decoded = decodedPayload{value: value, first: &e.Payload[0], size: len(e.Payload)}
	}
	return e
}

// Decoded is the value WithDecoded gave e, or nil when it gave none or
// e's Payload is another slice since.
func (e Envelope) Decoded() any {
	if e.decoded.value == nil || len(e.Payload) != e.decoded.size || &e.Payload[0] != e.decoded.first {
		return nil
	}
	return e.decoded.value
}

// Encode checks that payload is the type's payload (a value or a pointer
// to one) and returns its JSON. A device builds every mutation through it,
// so that it can only send what the server reads.
func Encode(t Type, payload any) (json.RawMessage, error) {
	s, ok := byType[t]
	if !ok {
		return nil, fmt.Errorf("mutation: unknown type %q", t)
	}
	got := reflect.TypeOf(payload)
	if got != nil && got.Kind() == reflect.Pointer {
		got = got.Elem()
	}
	if got != s.Payload {
		return nil, fmt.Errorf("mutation: a %s payload is a mutation.%s, not %v", t, s.Payload.Name(), got)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("mutation: encode %s: %w", t, err)
	}
	return raw, nil
}

// New builds an envelope with an encoded payload.
func New(mutationID string, t Type, entityID string, payload any, clientTime string) (Envelope, error) {
	raw, err := Encode(t, payload)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{MutationID: mutationID, Type: string(t), EntityID: entityID, Payload: raw, ClientTime: clientTime}, nil
}

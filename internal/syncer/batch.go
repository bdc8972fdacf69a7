package syncer

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// batch is the working set of one push: records are loaded once, changed in
// memory mutation by mutation, and written once at the end. A mutation
// validates everything before it changes anything, so a rejected one leaves
// no trace but its stored result.
type batch struct {
	ctx         context.Context
	s           *Service
	tx          *store.Tx
	p           principal.Principal
	inspections map[string]*inspectionState
	findings    map[string]*findingState
	sites       map[string]bool
	events      []store.InspectionEvent
	stored      []store.Mutation
	order       []string // ids of changed records, in first-change order

	// Rounds and incidents (scans.go, incidents.go).
	rounds         map[string]store.Round
	roundScans     map[string][]store.Scan
	scanIDs        map[string]store.Scan
	scans          []store.Scan
	incidents      map[string]*incidentState
	incidentEvents []store.IncidentEvent
	deliveries     []notify.DeliverArgs // webhooks to post after commit
}

func newBatch(ctx context.Context, s *Service, tx *store.Tx, p principal.Principal) *batch {
	return &batch{ctx: ctx, s: s, tx: tx, p: p, inspections: map[string]*inspectionState{},
		findings: map[string]*findingState{}, sites: map[string]bool{}, rounds: map[string]store.Round{},
		roundScans: map[string][]store.Scan{}, scanIDs: map[string]store.Scan{}, incidents: map[string]*incidentState{}}
}

func (b *batch) run(mutations []Mutation) ([]json.RawMessage, error) {
	ids := make([]string, 0, len(mutations))
	for _, m := range mutations {
		if isUUID(m.MutationID) {
			ids = append(ids, m.MutationID)
		}
	}
	previous, err := b.tx.MutationsByID(ids)
	if err != nil {
		return nil, err
	}
	if err := b.preload(mutations); err != nil {
		return nil, err
	}
	results := make([]json.RawMessage, len(mutations))
	for i, m := range mutations {
		if done, ok := previous[m.MutationID]; ok {
			results[i] = done.Result // replayed byte for byte
			continue
		}
		result, err := b.apply(m)
		if err != nil {
			return nil, err
		}
		result.MutationID = m.MutationID
		raw, err := json.Marshal(result)
		if err != nil {
			return nil, errs.E("syncer.run", errs.Internal, err)
		}
		results[i] = raw
		if isUUID(m.MutationID) {
			row := store.Mutation{MutationID: m.MutationID, UserID: b.p.UserID, DeviceID: b.p.DeviceID, Type: m.Type,
				Status: result.Status, Result: raw, ClientTime: parseTime(m.ClientTime)}
			if isUUID(m.EntityID) {
				row.EntityID = &m.EntityID
			}
			b.stored = append(b.stored, row)
			previous[m.MutationID] = row // the same id twice in one batch is a replay too
		}
	}
	if err := b.flush(); err != nil {
		return nil, err
	}
	return results, nil
}

// preload reads every record the batch names in two queries.
func (b *batch) preload(mutations []Mutation) error {
	var ids []string
	seen := map[string]bool{}
	for _, m := range mutations {
		if isUUID(m.EntityID) && !seen[m.EntityID] {
			seen[m.EntityID] = true
			ids = append(ids, m.EntityID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	inspections, err := b.tx.InspectionsByID(ids)
	if err != nil {
		return err
	}
	for id, row := range inspections {
		b.inspections[id] = &inspectionState{row: row, loaded: row.Version}
	}
	findings, err := b.tx.FindingsByID(ids)
	if err != nil {
		return err
	}
	for id, row := range findings {
		b.findings[id] = &findingState{row: row, loaded: row.Version}
	}
	incidents, err := b.tx.IncidentsByID(ids)
	if err != nil {
		return err
	}
	for id, row := range incidents {
		b.incidents[id] = &incidentState{row: row, loaded: row.Version}
	}
	b.scanIDs, err = b.tx.ScansByID(ids)
	return err
}

// apply runs one mutation against the working set. An error return is a
// fault of the server or database and aborts the batch; everything the
// device got wrong is a Result.
func (b *batch) apply(m Mutation) (Result, error) {
	if problems := envelopeProblems(m); len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	switch m.Type {
	case "inspection.start":
		return b.startInspection(m)
	case "answer.set", "answer.clear":
		return b.changeAnswer(m)
	case "inspection.submit":
		return b.submitInspection(m)
	case "finding.create":
		return b.createFinding(m)
	case "finding.update":
		return b.updateFinding(m)
	case "checkpoint.scan":
		return b.scanCheckpoint(m)
	case "incident.report":
		return b.reportIncident(m)
	case "incident.follow_up":
		return b.followUpIncident(m)
	}
	return rejected(m, FieldError{"/type", "unknown mutation type " + strconv.Quote(m.Type)}), nil
}

func envelopeProblems(m Mutation) []FieldError {
	var out []FieldError
	if !isUUID(m.MutationID) {
		out = append(out, FieldError{"/mutation_id", "must be a UUID"})
	}
	if !isUUID(m.EntityID) {
		out = append(out, FieldError{"/entity_id", "must be a UUID"})
	}
	if m.ClientTime != "" && parseTime(m.ClientTime) == nil {
		out = append(out, FieldError{"/client_time", "must be an RFC 3339 time"})
	}
	if len(m.Payload) == 0 || m.Payload[0] != '{' {
		out = append(out, FieldError{"/payload", "must be an object"})
	}
	return out
}

// flush writes every changed record, its change-log entry and history, and
// the stored results. Version clashes surface as Stale and make Push retry.
func (b *batch) flush() error {
	for _, id := range b.order {
		if st, ok := b.inspections[id]; ok && st.dirty {
			if err := b.flushInspection(st); err != nil {
				return err
			}
		}
		if st, ok := b.findings[id]; ok && st.dirty {
			if err := b.flushFinding(st); err != nil {
				return err
			}
		}
		if st, ok := b.incidents[id]; ok && st.dirty {
			if err := b.flushIncident(st); err != nil {
				return err
			}
		}
	}
	if err := b.tx.AddInspectionEvents(b.events); err != nil {
		return err
	}
	if err := b.tx.AddIncidentEvents(b.incidentEvents); err != nil {
		return err
	}
	if err := b.flushScans(); err != nil {
		return err
	}
	return b.tx.InsertMutations(b.stored)
}

func (b *batch) touch(id string) {
	for _, seen := range b.order {
		if seen == id {
			return
		}
	}
	b.order = append(b.order, id)
}

// siteAllowed reports whether the caller works at site (admins: any site of
// the organisation).
func (b *batch) siteAllowed(siteID string) (bool, error) {
	if known, ok := b.sites[siteID]; ok {
		return known, nil
	}
	allowed := false
	site, err := b.tx.Site(siteID)
	switch {
	case errs.Is(err, errs.NotFound):
	case err != nil:
		return false, err
	case b.p.Role == principal.Admin:
		allowed = site.Active
	default:
		allowed = site.Active && contains(b.p.SiteIDs, siteID)
	}
	b.sites[siteID] = allowed
	return allowed, nil
}

func rejected(m Mutation, problems ...FieldError) Result {
	return Result{Status: Rejected, EntityID: m.EntityID, Errors: problems}
}

func conflict(m Mutation, version int64, record any) (Result, error) {
	raw, err := json.Marshal(record)
	if err != nil {
		return Result{}, errs.E("syncer.conflict", errs.Internal, err)
	}
	return Result{Status: Conflict, EntityID: m.EntityID, Version: version, ServerRecord: raw}, nil
}

func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func parseTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

func ptr[T any](v T) *T { return &v }

// decodePayload reads a payload strictly: unknown fields are rejected.
func decodePayload(m Mutation, v any) *FieldError {
	dec := json.NewDecoder(bytesReader(m.Payload))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &FieldError{"/payload", "does not fit " + m.Type + ": " + err.Error()}
	}
	return nil
}

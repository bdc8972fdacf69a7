package syncer

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// workingSet is what one push, or a group of pushes committed together,
// works on: the stored results and records the pushes name are loaded
// once, changed in memory mutation by mutation, and written once at the
// end. A mutation validates everything before it changes anything, so a
// rejected one leaves no trace but its stored result. Pushes sharing a
// working set see each other's changes exactly as if they had run one
// after another.
type workingSet struct {
	done        map[string]store.Mutation // first results, by mutation id
	inspections map[string]*inspectionState
	findings    map[string]*findingState
	incidents   map[string]*incidentState
	siteRows    map[string]*store.Site // looked-up sites (nil: none)
	media       map[string]store.Media // media of the inspections submitted or declared for here, and those declared
	twins       map[string]store.Media // stored bytes the declarations here may reuse, by store.TwinKey
	newMedia    []*store.Media         // declared here (media.declare), inserted at flush
	takenMedia  map[string]bool        // media ids another organisation uses
	events      []store.InspectionEvent
	stored      []store.Mutation
	order       []string          // ids of changed records, in first-change order
	by          map[string]*batch // the push that last changed each record

	// Rounds and incidents (scans.go, incidents.go).
	rounds         map[string]store.Round
	roundScans     map[string][]store.Scan
	scanIDs        map[string]store.Scan
	scans          []store.Scan
	incidentEvents []store.IncidentEvent
}

func newWorkingSet() *workingSet {
	return &workingSet{done: map[string]store.Mutation{}, inspections: map[string]*inspectionState{},
		findings: map[string]*findingState{}, incidents: map[string]*incidentState{}, siteRows: map[string]*store.Site{},
		media: map[string]store.Media{}, twins: map[string]store.Media{}, takenMedia: map[string]bool{}, by: map[string]*batch{}, rounds: map[string]store.Round{},
		roundScans: map[string][]store.Scan{}, scanIDs: map[string]store.Scan{}}
}

// batch is one push applied to a working set, as its caller.
type batch struct {
	*workingSet
	ctx        context.Context
	s          *Service
	tx         *store.Tx // acting for p
	p          principal.Principal
	sites      map[string]bool      // sites p works at, as looked up
	deliveries []notify.DeliverArgs // webhooks to post after commit
}

func newBatch(ctx context.Context, s *Service, tx *store.Tx, p principal.Principal, ws *workingSet) *batch {
	return &batch{workingSet: ws, ctx: ctx, s: s, tx: tx, p: p, sites: map[string]bool{}}
}

// run applies one push to the loaded working set and returns its results.
func (b *batch) run(mutations []Mutation) ([]json.RawMessage, error) {
	results := make([]json.RawMessage, len(mutations))
	for i, m := range mutations {
		if done, ok := b.done[m.MutationID]; ok {
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
		if input.IsUUID(m.MutationID) {
			row := store.Mutation{MutationID: m.MutationID, UserID: b.p.UserID, DeviceID: b.p.DeviceID, Type: m.Type,
				Status: result.Status, Result: raw, ClientTime: input.ParseTime(m.ClientTime)}
			if input.IsUUID(m.EntityID) {
				row.EntityID = &m.EntityID
			}
			b.stored = append(b.stored, row)
			b.done[m.MutationID] = row // the same id again later is a replay too
		}
	}
	return results, nil
}

// load reads what the pushes name and the working set does not hold yet:
// their stored results, and their records, one query per kind of record.
func (ws *workingSet) load(tx *store.Tx, pushes ...[]Mutation) error {
	var ids []string
	for _, mutations := range pushes {
		for _, m := range mutations {
			if _, ok := ws.done[m.MutationID]; !ok && input.IsUUID(m.MutationID) {
				ids = append(ids, m.MutationID)
			}
		}
	}
	if len(ids) > 0 {
		previous, err := tx.MutationsByID(ids)
		if err != nil {
			return err
		}
		for id, row := range previous {
			ws.done[id] = row
		}
	}
	var all []Mutation
	for _, mutations := range pushes {
		all = append(all, mutations...)
	}
	return ws.preload(tx, all)
}

// preload reads the records the mutations name that the working set does
// not hold, one query per kind of record their types touch, and the media
// of the inspections they submit.
func (ws *workingSet) preload(tx *store.Tx, mutations []Mutation) error {
	ids := map[string][]string{}
	seen := map[string]bool{}
	var mediaOf, mediaIDs, digests []string
	for _, m := range mutations {
		if m.Type == "media.declare" && input.IsUUID(m.EntityID) {
			// Its inspection, the media it already holds, an earlier
			// declaration of the id, and stored bytes to reuse.
			var named struct {
				InspectionID string `json:"inspection_id"`
				SHA256       string `json:"sha256"`
			}
			json.Unmarshal(m.Payload, &named)
			mediaIDs = append(mediaIDs, strings.ToLower(m.EntityID))
			if len(named.SHA256) == 64 {
				digests = append(digests, strings.ToLower(named.SHA256))
			}
			if input.IsUUID(named.InspectionID) {
				mediaOf = append(mediaOf, named.InspectionID)
				if !seen["inspection"+named.InspectionID] && !ws.holds("inspection", named.InspectionID) {
					seen["inspection"+named.InspectionID] = true
					ids["inspection"] = append(ids["inspection"], named.InspectionID)
				}
			}
			continue
		}
		kind := recordKind(m.Type)
		if kind == "" || !input.IsUUID(m.EntityID) || seen[m.Type+m.EntityID] {
			continue
		}
		seen[m.Type+m.EntityID] = true
		if m.Type == "inspection.submit" {
			mediaOf = append(mediaOf, m.EntityID)
		}
		if !seen[kind+m.EntityID] && !ws.holds(kind, m.EntityID) {
			seen[kind+m.EntityID] = true
			ids[kind] = append(ids[kind], m.EntityID)
		}
	}
	if len(ids["inspection"]) > 0 {
		inspections, err := tx.InspectionsByID(ids["inspection"])
		if err != nil {
			return err
		}
		for id, row := range inspections {
			ws.inspections[id] = &inspectionState{row: row, loaded: row.Version}
		}
	}
	if len(ids["finding"]) > 0 {
		findings, err := tx.FindingsByID(ids["finding"])
		if err != nil {
			return err
		}
		for id, row := range findings {
			ws.findings[id] = &findingState{row: row, loaded: row.Version}
		}
	}
	if len(ids["incident"]) > 0 {
		incidents, err := tx.IncidentsByID(ids["incident"])
		if err != nil {
			return err
		}
		for id, row := range incidents {
			ws.incidents[id] = &incidentState{row: row, loaded: row.Version}
		}
	}
	if len(ids["scan"]) > 0 {
		scans, err := tx.ScansByID(ids["scan"])
		if err != nil {
			return err
		}
		for id, row := range scans {
			ws.scanIDs[id] = row
		}
	}
	if len(mediaOf) > 0 || len(mediaIDs) > 0 {
		media, taken, err := tx.MediaOfInspections(mediaOf, mediaIDs)
		if err != nil {
			return err
		}
		for _, id := range taken {
			ws.takenMedia[id] = true
		}
		for _, row := range media {
			if _, ok := ws.media[row.ID]; !ok {
				ws.media[row.ID] = row
			}
		}
	}
	if len(digests) > 0 {
		twins, err := tx.StoredTwins(digests)
		if err != nil {
			return err
		}
		for key, row := range twins {
			if _, ok := ws.twins[key]; !ok {
				ws.twins[key] = row
			}
		}
	}
	return nil
}

// holds reports whether the working set has the record already (loaded
// or created here): it must not be loaded over.
func (ws *workingSet) holds(kind, id string) bool {
	switch kind {
	case "inspection":
		_, ok := ws.inspections[id]
		return ok
	case "finding":
		_, ok := ws.findings[id]
		return ok
	case "incident":
		_, ok := ws.incidents[id]
		return ok
	case "scan":
		_, ok := ws.scanIDs[id]
		return ok
	}
	return false
}

// recordKind is the kind of record a mutation type changes ("" for an
// unknown type, which is rejected without a lookup).
func recordKind(mutationType string) string {
	switch mutationType {
	case "inspection.start", "answer.set", "answer.clear", "inspection.submit":
		return "inspection"
	case "finding.create", "finding.update":
		return "finding"
	case "incident.report", "incident.follow_up":
		return "incident"
	case "checkpoint.scan":
		return "scan"
	}
	return ""
}

// apply runs one mutation against the working set. An error return is a
// fault of the server or database and aborts the batch; everything the
// device got wrong is a Result.
func (b *batch) apply(m Mutation) (Result, error) {
	if problems := envelopeProblems(m); len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	if handle, ok := handlers[m.Type]; ok {
		return handle(b, m)
	}
	return rejected(m, FieldError{"/type", "unknown mutation type " + strconv.Quote(m.Type)}), nil
}

// handlers apply each mutation type. openapi.yaml has one schema per key
// (a test compares them).
var handlers = map[string]func(*batch, Mutation) (Result, error){
	"inspection.start":   (*batch).startInspection,
	"answer.set":         (*batch).changeAnswer,
	"answer.clear":       (*batch).changeAnswer,
	"inspection.submit":  (*batch).submitInspection,
	"finding.create":     (*batch).createFinding,
	"finding.update":     (*batch).updateFinding,
	"checkpoint.scan":    (*batch).scanCheckpoint,
	"media.declare":      (*batch).declareMedia,
	"incident.report":    (*batch).reportIncident,
	"incident.follow_up": (*batch).followUpIncident,
}

// MutationTypes lists the mutation types push applies, sorted.
func MutationTypes() []string { return slices.Sorted(maps.Keys(handlers)) }

func envelopeProblems(m Mutation) []FieldError {
	var out []FieldError
	if !input.IsUUID(m.MutationID) {
		out = append(out, FieldError{"/mutation_id", "must be a UUID"})
	}
	if !input.IsUUID(m.EntityID) {
		out = append(out, FieldError{"/entity_id", "must be a UUID"})
	}
	if m.ClientTime != "" && input.ParseTime(m.ClientTime) == nil {
		out = append(out, FieldError{"/client_time", "must be an RFC 3339 time"})
	}
	if len(m.Payload) == 0 || m.Payload[0] != '{' {
		out = append(out, FieldError{"/payload", "must be an object"})
	}
	return out
}

// flush writes every changed record, its change-log entry and history,
// and the stored results. Version clashes surface as Stale and make the
// push run again.
func (ws *workingSet) flush(tx *store.Tx) error {
	if err := ws.createInspections(tx); err != nil {
		return err
	}
	if err := tx.CreateMediaRows(ws.newMedia); err != nil {
		return err
	}
	for _, id := range ws.order {
		b := ws.by[id]
		if st, ok := ws.inspections[id]; ok && st.dirty {
			if err := b.flushInspection(st); err != nil {
				return err
			}
		}
		if st, ok := ws.findings[id]; ok && st.dirty {
			if err := b.flushFinding(st); err != nil {
				return err
			}
		}
		if st, ok := ws.incidents[id]; ok && st.dirty {
			if err := b.flushIncident(st); err != nil {
				return err
			}
		}
	}
	if err := tx.AddInspectionEvents(ws.events); err != nil {
		return err
	}
	if err := tx.LinkMedia(ws.mediaLinks()); err != nil {
		return err
	}
	if err := tx.AddIncidentEvents(ws.incidentEvents); err != nil {
		return err
	}
	if err := ws.flushScans(tx); err != nil {
		return err
	}
	return tx.InsertMutations(ws.stored)
}

// mediaLinks are the media ids each submitted inspection's answers name.
func (ws *workingSet) mediaLinks() map[string][]string {
	links := map[string][]string{}
	for _, id := range ws.order {
		if st, ok := ws.inspections[id]; ok && st.dirty && st.linkMedia {
			links[id] = st.media
		}
	}
	return links
}

// touch notes that b changed the record.
func (b *batch) touch(id string) {
	if _, ok := b.by[id]; !ok {
		b.order = append(b.order, id)
	}
	b.by[id] = b
}

// requireSite adds the payload's site_id to problems unless it names an
// active site the caller works at.
func (b *batch) requireSite(siteID string, problems *[]FieldError) error {
	ok, err := b.siteAllowed(siteID)
	if err == nil && !ok {
		*problems = append(*problems, FieldError{"/payload/site_id", "must be an active site you work at"})
	}
	return err
}

// siteAllowed reports whether the caller works at site (admins: any site of
// the organisation).
func (b *batch) siteAllowed(siteID string) (bool, error) {
	if known, ok := b.sites[siteID]; ok {
		return known, nil
	}
	if !input.IsUUID(siteID) {
		return false, nil // never reaches the database, where it would abort the transaction
	}
	site, looked := b.siteRows[siteID]
	if !looked {
		row, err := b.tx.Site(siteID)
		switch {
		case errs.Is(err, errs.NotFound):
		case err != nil:
			return false, err
		default:
			site = &row
		}
		b.siteRows[siteID] = site
	}
	allowed := false
	switch {
	case site == nil:
	case b.p.Role == principal.Admin:
		allowed = site.Active
	default:
		allowed = site.Active && slices.Contains(b.p.SiteIDs, siteID)
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

package syncer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/countersign"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/strictjson"
)

// workingSet is what one push, or a group of pushes committed together,
// works on: the stored results and records the pushes name are loaded
// once, changed in memory mutation by mutation, and written once at the
// end. A mutation validates everything before it changes anything, so a
// rejected one leaves no trace but its stored result. Pushes sharing a
// working set see each other's changes exactly as if they had run one
// after another.
type workingSet struct {
	done        map[string]store.Mutation // first results, by replay key (replayKey)
	asked       map[string]bool           // mutation ids whose stored results are loaded
	inspections map[string]*inspectionState
	findings    map[string]*findingState
	incidents   map[string]*incidentState
	siteRows    map[string]*store.Site // looked-up sites (nil: none)
	// siteReferences are the reference values read for submissions here,
	// by site id + "/" + day (references).
	siteReferences map[string]map[string]any
	// referenceData is what preload read ahead of the reference values of
	// the sites inspections start at here, for the days around now
	// (referencesAhead).
	referenceData *referencesAhead
	media         map[string]store.Media                  // media of the inspections submitted or declared for here, and those declared
	liveMedia     map[string]int                          // media not deleted in media, by inspection id (addMedia)
	twins         map[string]store.Media                  // stored bytes the declarations here may reuse, by store.TwinKey
	newMedia      []*store.Media                          // declared here (media.declare), inserted at flush
	declarations  map[payloadKey]mutation.Declare         // media.declare payloads preload decoded (declaration)
	starts        map[payloadKey]mutation.StartInspection // inspection.start payloads preload decoded (start)
	links         []store.MediaLink                       // media named by incidents and findings changed here
	taken         map[string]bool                         // kind+id of records another organisation holds (see isTaken)
	events        []store.InspectionEvent
	stored        []store.Mutation
	order         []string          // ids of changed records, in first-change order
	by            map[string]*batch // the push that last changed each record

	// Rounds and incidents (scans.go, incidents.go).
	rounds         map[string]store.Round
	roundScans     map[string][]store.Scan
	scanIDs        map[string]store.Scan
	scans          []store.Scan
	incidentEvents []store.IncidentEvent
	// drillHolds are drills held by inspections submitted here, written
	// once the inspections are (drills.go).
	drillHolds []drillHold
	// countersigners are the users and keys read to verify the
	// countersignatures of inspections submitted here (countersigners.go).
	countersigners countersigners
	// proofs are the countersignatures of answers set here, checked ahead
	// on another core while the pushes go on (startProof).
	proofs countersign.Proofs
}

func newWorkingSet() *workingSet {
	return &workingSet{done: map[string]store.Mutation{}, asked: map[string]bool{}, inspections: map[string]*inspectionState{},
		findings: map[string]*findingState{}, incidents: map[string]*incidentState{}, siteRows: map[string]*store.Site{},
		siteReferences: map[string]map[string]any{},
		media:          map[string]store.Media{}, twins: map[string]store.Media{}, taken: map[string]bool{}, by: map[string]*batch{}, rounds: map[string]store.Round{},
		declarations: map[payloadKey]mutation.Declare{}, starts: map[payloadKey]mutation.StartInspection{},
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
		key, hash := replayKey(b.p.DeviceID, b.p.UserID, m.MutationID), bodyHash(m)
		if done, ok := b.done[key]; ok {
			if len(done.BodyHash) > 0 && !bytes.Equal(done.BodyHash, hash) {
				// Not stored: the id's stored result stays the first.
				raw, err := json.Marshal(Result{MutationID: m.MutationID, Status: Rejected, EntityID: m.EntityID,
					Errors: []FieldError{reusedID}})
				if err != nil {
					return nil, errs.E("syncer.run", errs.Internal, err)
				}
				results[i] = raw
				continue
			}
			results[i] = done.Result // replayed byte for byte
			continue
		}
		if b.s.fault != nil {
			if err := b.s.fault(m); err != nil {
				return nil, err
			}
		}
		result, err := b.apply(m)
		if err != nil {
			return nil, err
		}
		result.MutationID = m.MutationID
		raw, err := encodeResult(result)
		if err != nil {
			return nil, errs.E("syncer.run", errs.Internal, err)
		}
		results[i] = raw
		if input.IsUUID(m.MutationID) {
			kind := m.Type
			if !input.CleanString(kind) {
				kind = strconv.QuoteToASCII(kind) // rejected for it; stored without the character
			}
			row := store.Mutation{MutationID: m.MutationID, UserID: b.p.UserID, DeviceID: b.p.DeviceID, Type: kind,
				Status: result.Status, Result: raw, BodyHash: hash, ClientTime: input.ParseTime(m.ClientTime)}
			if input.IsUUID(m.EntityID) {
				entity := m.EntityID // a copy: the address of m's own field moved every m to the heap
				row.EntityID = &entity
			}
			b.stored = append(b.stored, row)
			b.done[key] = row // the same id again later is a replay too
		}
	}
	return results, nil
}

// replayKey is how far a stored result reaches: a mutation id replays
// only to the device and user that first pushed it. Any other device or
// user reusing the id has its mutation applied as its own.
func replayKey(deviceID, userID, mutationID string) string {
	return deviceID + "/" + userID + "/" + strings.ToLower(mutationID)
}

// reusedID answers a mutation whose id its device already used for a
// different mutation.
var reusedID = FieldError{"/mutation_id", "already used by this device for a different mutation: make a new id"}

// bodyHash is the digest of what a mutation asks for: its type, entity,
// base version and payload (compacted, so that whitespace does not count).
// A retry must carry the same; its client_time may differ.
func bodyHash(m Mutation) []byte {
	h := sha256.New()
	var head [96]byte // type, entity id and base version of any usual mutation, without an allocation
	line := append(head[:0], m.Type...)
	line = append(line, 0)
	line = appendLower(line, m.EntityID)
	line = append(line, 0)
	if m.BaseVersion != nil {
		line = strconv.AppendInt(line, *m.BaseVersion, 10)
	}
	h.Write(append(line, 0))
	h.Write(compactPayload(m.Payload))
	var sum [sha256.Size]byte
	return h.Sum(sum[:0])
}

// compactPayload is the payload with its insignificant whitespace taken
// out, or as it came when it is not JSON. Payloads from phones and from
// json.Marshal carry no whitespace outside their strings, and then they
// are their own compact form: json.Compact, which scans every byte with
// the JSON state machine and copies it, is only run when there is a space,
// tab or newline outside a string to remove. Answers' notes and names
// hold spaces inside strings, so looking for any space at all sent nearly
// every payload through json.Compact (issue 17: two thirds of the hash's
// cost).
func compactPayload(payload []byte) []byte {
	if !hasSpaceOutsideStrings(payload) {
		return payload
	}
	var out bytes.Buffer
	if json.Compact(&out, payload) != nil {
		return payload
	}
	return out.Bytes()
}

// hasSpaceOutsideStrings reports whether b holds a byte JSON counts as
// whitespace outside its strings, read as JSON reads them ('"' opens and
// closes one, '\\' escapes the byte after it). When it answers false, b is
// either its own compact form or not JSON at all: json.Compact removes
// only whitespace outside strings, and every other byte of valid JSON is
// kept as it is.
func hasSpaceOutsideStrings(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			return true
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++ // the escaped byte, a quote or not
				}
			}
		}
	}
	return false
}

// appendLower appends s in lower case, as strings.ToLower would write it.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// load reads what the pushes name and the working set does not hold yet:
// their stored results, and their records, one query per kind of record.
// scopes are the devices and users pushing: the transaction claims them
// (store.ClaimMutations), so that a twin of one of these pushes running
// elsewhere is either seen here as stored or waits for this one.
func (ws *workingSet) load(tx *store.Tx, reads *store.Prefetch, scopes []store.MutationScope, pushes ...[]Mutation) error {
	total := 0
	for _, mutations := range pushes {
		total += len(mutations)
	}
	ws.reserve(total)
	ids := make([]string, 0, total)
	for _, mutations := range pushes {
		for _, m := range mutations {
			if !ws.asked[m.MutationID] && input.IsUUID(m.MutationID) {
				ws.asked[m.MutationID] = true
				ids = append(ids, m.MutationID)
			}
		}
	}
	// The stored results and the records the pushes name are read
	// together, with what reads holds already (the callers' standing): one
	// round trip on PostgreSQL, after the claim's locks.
	if reads == nil {
		reads = tx.Prefetch()
	}
	if len(ids) > 0 {
		err := reads.ClaimMutations(ids, scopes, func(previous []store.Mutation) {
			for _, row := range previous {
				ws.done[replayKey(row.DeviceID, row.UserID, row.MutationID)] = row
			}
		})
		if err != nil {
			return err
		}
	}
	all := make([]Mutation, 0, total)
	for _, mutations := range pushes {
		all = append(all, mutations...)
	}
	return ws.preload(tx, reads, all)
}

// reserve makes room for n mutations in what each adds to: its id asked
// for, its result stored and its replay key. Grown one by one, a group's
// were a quarter of the syncer's allocations (issue 17: 117 MB in 10 s of
// push load). A working set is loaded once, before anything is in them.
func (ws *workingSet) reserve(n int) {
	if len(ws.asked) == 0 {
		ws.asked = make(map[string]bool, n)
	}
	if len(ws.done) == 0 {
		ws.done = make(map[string]store.Mutation, n)
	}
	ws.stored = slices.Grow(ws.stored, n)
}

// payloadKey is a payload's place in its push body: two mutations of a
// working set have the same key only when they are the same mutation.
type payloadKey struct {
	first *byte
	size  int
}

func keyOf(payload []byte) (payloadKey, bool) {
	if len(payload) == 0 {
		return payloadKey{}, false
	}
	return payloadKey{&payload[0], len(payload)}, true
}

// preloadDeclaration decodes a media.declare payload for preload strictly,
// as declareMedia does, and keeps it for declareMedia, so that the payload
// (a signature's strokes and all) is decoded once. One the strict decoder
// refuses (declareMedia rejects it) is decoded leniently for what to
// preload, as before.
func (ws *workingSet) preloadDeclaration(m Mutation) (inspectionID, digest string) {
	if in, ok := decoded[mutation.Declare](m); ok {
		return in.InspectionID, in.SHA256
	}
	var in mutation.Declare
	if key, ok := keyOf(m.Payload); ok && decodePayload(m, &in) == nil {
		ws.declarations[key] = in
		return in.InspectionID, in.SHA256
	}
	var named struct {
		InspectionID string `json:"inspection_id"`
		SHA256       string `json:"sha256"`
	}
	json.Unmarshal(m.Payload, &named)
	return named.InspectionID, named.SHA256
}

// declaration is a media.declare payload decoded strictly, by DecodePush,
// preload or now.
func (ws *workingSet) declaration(m Mutation) (mutation.Declare, *FieldError) {
	if in, ok := decoded[mutation.Declare](m); ok {
		return *in, nil
	}
	if key, ok := keyOf(m.Payload); ok {
		if in, decoded := ws.declarations[key]; decoded {
			return in, nil
		}
	}
	var in mutation.Declare
	return in, decodePayload(m, &in)
}

// preloadStart decodes an inspection.start payload for preload strictly,
// as startInspection does, and keeps it for startInspection; it answers
// the site the inspection starts at, whose row preload reads with the
// rest. A payload the strict decoder refuses is left to startInspection,
// which rejects it.
func (ws *workingSet) preloadStart(m Mutation) (siteID string) {
	if in, ok := decoded[mutation.StartInspection](m); ok {
		return in.SiteID
	}
	var in mutation.StartInspection
	key, ok := keyOf(m.Payload)
	if !ok || decodePayload(m, &in) != nil {
		return ""
	}
	ws.starts[key] = in
	return in.SiteID
}

// start is an inspection.start payload decoded strictly, by DecodePush,
// preload or now.
func (ws *workingSet) start(m Mutation) (mutation.StartInspection, *FieldError) {
	if in, ok := decoded[mutation.StartInspection](m); ok {
		return *in, nil
	}
	if key, ok := keyOf(m.Payload); ok {
		if in, decoded := ws.starts[key]; decoded {
			return in, nil
		}
	}
	var in mutation.StartInspection
	return in, decodePayload(m, &in)
}

// countersignerOf answers the countersigner and key of an answer.set
// payload's countersignature, which the submission will read and preload
// reads with the rest; none for a payload decodeAnswer refuses or without
// a countersignature. A payload DecodePush carries decoded costs nothing
// to decode here or again in changeAnswer.
func countersignerOf(m Mutation) (userID, keyID string) {
	if !bytes.Contains(m.Payload, []byte(`"countersign"`)) {
		return "", ""
	}
	_, answer, problem := decodeAnswer(m)
	if problem != nil || answer == nil || answer.Countersign == nil {
		return "", ""
	}
	return answer.Countersign.UserID, answer.Countersign.KeyID
}

// preloadCountersigners adds to reads the users and keys of the
// countersignatures answered here that the working set has not read, and
// keeps what it finds, or that there is none, as countersignReader would.
func (ws *workingSet) preloadCountersigners(reads *store.Prefetch, userIDs, keyIDs []string) {
	ws.countersigners.ready()
	users, keys := ws.countersigners.unread(userIDs, keyIDs)
	if len(users) > 0 {
		reads.Users(users, func(found map[string]store.User) {
			for _, id := range users {
				row, ok := found[id]
				ws.countersigners.users[id] = lookup[store.User]{row: row, found: ok}
			}
		})
	}
	if len(keys) > 0 {
		reads.UserKeys(keys, func(found map[string]store.UserKey) {
			for _, id := range keys {
				row, ok := found[id]
				ws.countersigners.keys[id] = lookup[store.UserKey]{row: row, found: ok}
			}
		})
	}
}

// preload reads the records the mutations name that the working set does
// not hold, one query per kind of record their types touch, and the media
// of the inspections they submit; the inspections, media and sites go
// with the reads already in reads (the claim), which it runs.
func (ws *workingSet) preload(tx *store.Tx, reads *store.Prefetch, mutations []Mutation) error {
	ids := map[string][]string{}
	seen := map[string]bool{}
	var mediaOf, mediaIDs, digests, sites, countersigners, keys []string
	for _, m := range mutations {
		if m.Type == string(mutation.AnswerSet) {
			// The countersigner and key its submission will read.
			if user, key := countersignerOf(m); user != "" {
				countersigners, keys = append(countersigners, user), append(keys, key)
			}
		}
		if m.Type == string(mutation.InspectionStart) {
			// The site it starts at, checked against the caller's sites.
			if site := ws.preloadStart(m); input.IsUUID(site) && !seen["site"+site] {
				if _, looked := ws.siteRows[site]; !looked {
					seen["site"+site] = true
					sites = append(sites, site)
				}
			}
		}
		if m.Type == string(mutation.MediaDeclare) && input.IsUUID(m.EntityID) {
			// Its inspection, the media it already holds, an earlier
			// declaration of the id, and stored bytes to reuse.
			inspectionID, digest := ws.preloadDeclaration(m)
			mediaIDs = append(mediaIDs, strings.ToLower(m.EntityID))
			if sum, err := hex.DecodeString(digest); err == nil && len(sum) == 32 {
				digests = append(digests, strings.ToLower(digest))
			}
			if input.IsUUID(inspectionID) {
				mediaOf = appendOnce(mediaOf, seen, inspectionID)
				if !seen["inspection"+inspectionID] && !ws.holds("inspection", inspectionID) {
					seen["inspection"+inspectionID] = true
					ids["inspection"] = append(ids["inspection"], inspectionID)
				}
			}
			continue
		}
		if spec, _ := mutation.Lookup(m.Type); spec.NamesMedia {
			// The media it names, to check they exist and to link them.
			var named struct {
				Media []string `json:"media"`
			}
			json.Unmarshal(m.Payload, &named)
			for _, id := range named.Media {
				if input.IsUUID(id) {
					mediaIDs = append(mediaIDs, strings.ToLower(id))
				}
			}
		}
		kind := string(mutation.KindOf(m.Type))
		if kind == "" || !input.IsUUID(m.EntityID) || seen[m.Type+m.EntityID] {
			continue
		}
		seen[m.Type+m.EntityID] = true
		if m.Type == string(mutation.InspectionSubmit) {
			mediaOf = appendOnce(mediaOf, seen, m.EntityID)
		}
		if !seen[kind+m.EntityID] && !ws.holds(kind, m.EntityID) {
			seen[kind+m.EntityID] = true
			ids[kind] = append(ids[kind], m.EntityID)
		}
	}
	// The inspections, their media and the sites started at are read
	// with what reads holds already: one round trip on PostgreSQL.
	if len(ids["inspection"]) > 0 {
		reads.InspectionsByID(ids["inspection"], func(inspections map[string]store.Inspection, taken []string) {
			ws.noteTaken("inspection", taken)
			for id, row := range inspections {
				ws.inspections[id] = &inspectionState{row: row, loaded: row.Version}
			}
		})
	}
	if len(mediaOf) > 0 || len(mediaIDs) > 0 || len(digests) > 0 {
		reads.MediaOfInspections(mediaOf, mediaIDs, digests, func(media []store.Media, taken []string, twins map[string]store.Media) {
			ws.noteTaken("media", taken)
			for _, row := range media {
				ws.addMedia(row)
			}
			for key, row := range twins {
				if _, ok := ws.twins[key]; !ok {
					ws.twins[key] = row
				}
			}
		})
	}
	if len(sites) > 0 {
		// The reference data of the day such an inspection starts on (now,
		// in its site's time zone, which the site's row gives): read for
		// the days around now in UTC, one of which is the site's.
		ahead := &referencesAhead{days: daysAround(tx.Now)}
		for _, site := range sites {
			ahead.sites = append(ahead.sites, strings.ToLower(site))
		}
		reads.SiteReferenceData(ahead.sites, ahead.days, func(values []store.ReferenceValue, assets []store.Asset) {
			ahead.values, ahead.assets = values, assets
			ws.referenceData = ahead
		})
		reads.Sites(sites, func(found map[string]store.Site) {
			for _, id := range sites {
				if row, ok := found[id]; ok {
					ws.siteRows[id] = &row
				} else {
					ws.siteRows[id] = nil // none: as Site's NotFound
				}
			}
		})
	}
	if len(countersigners) > 0 {
		ws.preloadCountersigners(reads, countersigners, keys)
	}
	if err := reads.Run(); err != nil {
		return err
	}
	if len(ids["finding"]) > 0 {
		findings, taken, err := tx.FindingsByID(ids["finding"])
		if err != nil {
			return err
		}
		ws.noteTaken("finding", taken)
		for id, row := range findings {
			ws.findings[id] = &findingState{row: row, loaded: row.Version}
		}
	}
	if len(ids["incident"]) > 0 {
		incidents, taken, err := tx.IncidentsByID(ids["incident"])
		if err != nil {
			return err
		}
		ws.noteTaken("incident", taken)
		for id, row := range incidents {
			ws.incidents[id] = &incidentState{row: row, loaded: row.Version, loadedStatus: row.Status}
		}
	}
	if len(ids["scan"]) > 0 {
		scans, taken, err := tx.ScansByID(ids["scan"])
		if err != nil {
			return err
		}
		ws.noteTaken("scan", taken)
		for id, row := range scans {
			ws.scanIDs[id] = row
		}
	}
	return nil
}

// appendOnce appends an inspection id whose media are to be read, unless
// it is in ids already. Every media.declare names its inspection, so a
// 30-answer cu-opening-check with 8 signatures named its inspection 9
// times in the media lookup's IN list: each element is estimated by the
// planner and each length is a statement text of its own (issue 17: the
// lookup was PostgreSQL's busiest statement).
func appendOnce(ids []string, seen map[string]bool, id string) []string {
	if seen["media of"+id] {
		return ids
	}
	seen["media of"+id] = true
	return append(ids, id)
}

// noteTaken records ids of a kind that another organisation holds.
func (ws *workingSet) noteTaken(kind string, ids []string) {
	for _, id := range ids {
		ws.taken[kind+id] = true
	}
}

// takenID is the answer to a mutation that would create a record under an
// id it cannot have, whatever the reason: the same words for an id another
// organisation holds as for any other unusable id, so that the answer
// reveals nothing.
var takenID = FieldError{"/entity_id", "this id is taken: make a new one"}

// isTaken reports whether another organisation holds the id for the kind
// of record.
func (ws *workingSet) isTaken(kind, id string) bool { return ws.taken[kind+id] }

// requireMedia adds a problem for each id that names no medium of the
// caller's organisation (declared before, or earlier in the push), and
// otherwise notes that the record links them, written at flush in the
// push's transaction so that the orphan sweep keeps them.
func (b *batch) requireMedia(ids []string, problems *[]FieldError) {
	for i, id := range ids {
		if row, ok := b.media[strings.ToLower(id)]; !ok || row.Status == media.Deleted {
			*problems = append(*problems, FieldError{"/payload/media/" + strconv.Itoa(i),
				"no such medium: declare it first (media.declare or POST /v1/media)"})
		}
	}
}

// linkMedia notes that the record names the media.
func (b *batch) linkMedia(recordType, recordID string, ids []string) {
	for _, id := range ids {
		b.links = append(b.links, store.MediaLink{MediaID: strings.ToLower(id), RecordType: recordType, RecordID: recordID})
	}
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

// apply runs one mutation against the working set. An error return is a
// fault of the server or database and aborts the batch; everything the
// device got wrong is a Result.
func (b *batch) apply(m Mutation) (Result, error) {
	if problems := envelopeProblems(m); len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	if h, ok := handlerOf(m.Type); ok {
		return h.apply(b, m)
	}
	return rejected(m, FieldError{"/type", "unknown mutation type " + strconv.Quote(m.Type)}), nil
}

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
	if !input.CleanString(m.Type) {
		out = append(out, FieldError{"/type", input.ControlRule})
	}
	if len(m.Payload) == 0 || m.Payload[0] != '{' {
		out = append(out, FieldError{"/payload", "must be an object"})
	} else {
		// The string rule, once for every string of every payload, so
		// that no handler can forget a field.
		problems := input.ControlProblems(m.Payload, "/payload")
		for _, pointer := range slices.Sorted(maps.Keys(problems)) {
			out = append(out, FieldError{pointer, problems[pointer]})
		}
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
	if err := ws.holdTwins(tx); err != nil {
		return err
	}
	links := ws.linkAtInsert(ws.mediaLinks(), tx.Now)
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
	if err := ws.holdDrills(tx); err != nil {
		return err
	}
	if err := tx.LinkMedia(links); err != nil {
		return err
	}
	if err := tx.AddMediaLinks(ws.links); err != nil {
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

// holdTwins claims, once each and in id order, the stored media whose
// objects the declarations here share (store.HoldStoredTwin): a merge
// that moved one of those objects since the working set was loaded makes
// the push Stale, and it runs again with the twins read afresh.
func (ws *workingSet) holdTwins(tx *store.Tx) error {
	held := map[string]store.Media{}
	for _, row := range ws.newMedia {
		if twin, ok := ws.twins[store.TwinKey(row.SHA256, row.Size)]; ok && row.Status == media.Stored {
			held[twin.ID] = twin
		}
	}
	for _, id := range slices.Sorted(maps.Keys(held)) {
		if err := tx.HoldStoredTwin(held[id]); err != nil {
			return err
		}
	}
	return nil
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

// linkAtInsert links, as they are inserted, the media declared here that
// an inspection submitted here names, and returns the links still to be
// made by store.LinkMedia's UPDATE. The UPDATE would write a second
// version of each row this transaction inserts, and PostgreSQL re-checks
// the foreign keys of a row its own transaction inserted when it is
// updated (issue 17: the group's media statement). An inspection first
// created here, whose named media are all declared here, has no other row
// the UPDATE could link or unlink (a medium is linked only by its
// inspection's submit), so its links need no UPDATE at all; any other
// inspection keeps it, and its new rows are linked at insert with the
// same time the UPDATE would write (it keeps a link it finds).
func (ws *workingSet) linkAtInsert(links map[string][]string, now time.Time) map[string][]string {
	if len(links) == 0 {
		return links
	}
	declared := make(map[string]*store.Media, len(ws.newMedia))
	for _, row := range ws.newMedia {
		declared[strings.ToLower(row.ID)] = row
	}
	linkedBefore := map[string]bool{} // inspections with a row linked before this transaction
	for _, row := range ws.media {
		if row.LinkedAt != nil {
			linkedBefore[row.InspectionID] = true
		}
	}
	rest := make(map[string][]string, len(links))
	for inspectionID, ids := range links {
		all := true
		for _, id := range ids {
			row, ok := declared[strings.ToLower(id)]
			if ok && row.InspectionID == inspectionID {
				row.LinkedAt = &now
			} else {
				all = false
			}
		}
		if st := ws.inspections[inspectionID]; !all || st == nil || !st.isNew || linkedBefore[inspectionID] {
			rest[inspectionID] = ids
		}
	}
	return rest
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

// payloadOptions are how payloads are decoded: numbers in interface values
// are kept as they came (json.Number).
var payloadOptions = strictjson.Options{UseNumber: true}

// decodePayload reads a payload strictly: unknown fields are rejected.
func decodePayload(m Mutation, v any) *FieldError {
	if err := strictjson.Decode(m.Payload, v, payloadOptions); err != nil {
		return &FieldError{"/payload", "does not fit " + m.Type + ": " + err.Error()}
	}
	return nil
}

// referencesAhead is the reference data of some sites for some days, read
// with a group's other reads (preload).
type referencesAhead struct {
	sites, days []string
	values      []store.ReferenceValue
	assets      []store.Asset
}

// daysAround are the UTC days before, of and after at: a site's local day
// at at is one of them, whatever its time zone (UTC-12 to UTC+14).
func daysAround(at time.Time) []string {
	at = at.UTC()
	return []string{at.AddDate(0, 0, -1).Format(time.DateOnly), at.Format(time.DateOnly), at.AddDate(0, 0, 1).Format(time.DateOnly)}
}

// of answers what store.SiteReferenceData answers for site and day, when
// they were read ahead.
func (r *referencesAhead) of(site, day string) ([]store.ReferenceValue, []store.Asset, bool) {
	if r == nil || !slices.Contains(r.sites, site) || !slices.Contains(r.days, day) {
		return nil, nil, false
	}
	var values []store.ReferenceValue
	for _, v := range r.values {
		if v.SiteID == site && v.Day == day {
			values = append(values, v)
		}
	}
	var assets []store.Asset
	for _, a := range r.assets {
		if a.SiteID == site {
			assets = append(assets, a)
		}
	}
	return values, assets, true
}

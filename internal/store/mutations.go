package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Mutation is the stored first result of one pushed mutation. It is keyed
// by organisation, mutation id, device and user: a result replays only to
// the device and user that pushed it.
type Mutation struct {
	OrgID      string
	MutationID string
	UserID     string
	DeviceID   string
	Type       string
	EntityID   *string
	Status     string
	Result     []byte
	BodyHash   []byte // digest of what the mutation asked for; nil for rows stored before it was kept
	ClientTime *time.Time
	ReceivedAt time.Time
}

// Stored results live in push_results, one row per transaction, device and
// user (migration 00150): the mutation ids in order, and beside them their
// body hashes (hashSize bytes each), types, client times and results (a
// JSON array whose elements are the stored answers byte for byte). Entity
// and status are inside each result. A mutation id is found, on
// PostgreSQL, through its push's range of ids for its device and user
// (push_results_ranges, migration 00382) or, for a push whose ids do not
// grow with time, a GIN index on the ids; on SQLite through the
// push_result_ids table.

// hashSize is the length of a body hash; a stored all-zero hash stands for
// none (results kept before body hashes were).
const hashSize = sha256.Size

// MutationScope is a device and user whose stored results a transaction
// reads and may add to.
type MutationScope struct{ DeviceID, UserID string }

// ClaimMutations returns the stored results among ids, as MutationsByID,
// after taking, until the transaction ends, the right to store results for
// each scope. A twin of a batch still running elsewhere (a retry sent
// while the first try had not answered, on this replica or another) waits
// here for it to commit and then finds its results, so that a mutation is
// applied and stored once. Neither index of push_results (the ranges, the
// GIN index) can be unique; this lock, per device and user, is what the
// old primary key was. SQLite runs one writer
// at a time and keeps its unique key.
func (tx *Tx) ClaimMutations(ids []string, scopes []MutationScope) ([]Mutation, error) {
	if err := tx.lockScopes(scopes); err != nil {
		return nil, err
	}
	// A statement of its own: under READ COMMITTED it sees what a twin
	// committed while this one waited for the lock. With no scope named,
	// every device's and user's results, rather than none.
	if len(scopes) == 0 {
		scopes = nil
	}
	return tx.mutationsByID(ids, scopes)
}

// lockScopes takes ClaimMutations' locks (deferred: sent with the lookup
// that follows them).
func (tx *Tx) lockScopes(scopes []MutationScope) error {
	if tx.db.dialect != Postgres || len(scopes) == 0 {
		return nil
	}
	org := tx.orgOf()
	keys := make([]int64, 0, len(scopes))
	for _, s := range scopes {
		keys = append(keys, advisoryLockKey("push_results\x00"+org+"\x00"+strings.ToLower(s.DeviceID)+"\x00"+strings.ToLower(s.UserID)))
	}
	// In one order everywhere, so that two groups sharing devices
	// cannot each hold one lock the other waits for.
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if err := tx.execDeferred("SELECT pg_advisory_xact_lock(k) FROM unnest(?::bigint[]) AS k", keys); err != nil {
		return translate("store.ClaimMutations", err)
	}
	return nil
}

// MutationsByID returns the stored results among ids, of every device and
// user: the caller picks the ones of its scope. Each row holds its id,
// device, user, result, body hash and receive time. It is for reading
// results back (tests, tools): on PostgreSQL it reads the range index of
// the whole organisation, where ClaimMutations reads its scopes' only.
func (tx *Tx) MutationsByID(ids []string) ([]Mutation, error) {
	return tx.mutationsByID(ids, nil)
}

// mutationsByID returns the stored results among ids of scopes, or of
// every device and user when scopes is nil (a scope's results may come
// with others', which the caller drops as it drops other ids).
func (tx *Tx) mutationsByID(ids []string, scopes []MutationScope) ([]Mutation, error) {
	const op = "store.MutationsByID"
	read := tx.storedResults(ids, scopes)
	if read == nil {
		return nil, nil
	}
	if err := tx.queryRows(read.query, read.args, read.row); err != nil {
		return nil, translate(op, err)
	}
	return read.found, nil
}

// storedResultsRead is the read of the stored results among some ids: its
// query, and its rows' reader, which collects the results asked for.
type storedResultsRead struct {
	query   string
	args    []any
	asked   map[string]bool
	dialect string
	found   []Mutation
}

// storedResults is the read of mutationsByID, nil when no id can have a
// stored result.
func (tx *Tx) storedResults(ids []string, scopes []MutationScope) *storedResultsRead {
	if len(ids) == 0 {
		return nil
	}
	asked := make(map[string]bool, len(ids))
	lower := make([]string, 0, len(ids))
	var bounds idRange // of the version-7 ids asked
	for _, id := range ids {
		id = strings.ToLower(id)
		parsed, err := uuid.Parse(id)
		if err != nil || len(id) != 36 {
			continue // never stored: only UUIDs are, and PostgreSQL would refuse the cast
		}
		if asked[id] {
			continue
		}
		asked[id] = true
		lower = append(lower, id)
		if sequential(parsed) {
			bounds.add(parsed)
		}
	}
	if len(lower) == 0 {
		return nil
	}
	var query string
	var args []any
	if tx.db.dialect == Postgres {
		// No version-7 id asked: no ranged push holds any, and NULL
		// bounds match none.
		var first, last any
		if bounds.any {
			first, last = bounds.low.String(), bounds.high.String()
		}
		if scopes == nil {
			query = pushResultsByIDsOfOrg
			args = []any{tx.orgOf(), lower, first, last}
		} else {
			devices, users := scopeColumns(scopes)
			query = pushResultsByIDs
			args = []any{tx.orgOf(), lower, devices, users, first, last}
		}
	} else {
		query = `SELECT p.device_id, p.user_id, p.received_at, p.mutation_ids, p.body_hashes, p.results FROM push_results p
WHERE p.id IN (SELECT push_id FROM push_result_ids WHERE org_id = ? AND mutation_id IN (?` + strings.Repeat(", ?", len(lower)-1) + `))`
		args = append(args, tx.orgOf())
		for _, id := range lower {
			args = append(args, id)
		}
	}
	return &storedResultsRead{query: query, args: args, asked: asked, dialect: tx.db.dialect}
}

// row reads one stored push: the results of the ids asked for.
func (r *storedResultsRead) row(scan func(dest ...any) error) error {
	var device, user, idList string
	var received time.Time
	var hashes, results []byte
	if err := scan(&device, &user, &received, &idList, &hashes, &results); err != nil {
		return err
	}
	var pushIDs []string
	if r.dialect == Postgres {
		pushIDs = strings.Split(idList, ",")
	} else if err := json.Unmarshal([]byte(idList), &pushIDs); err != nil {
		return err
	}
	var answers []json.RawMessage
	if err := json.Unmarshal(results, &answers); err != nil {
		return err
	}
	if len(answers) != len(pushIDs) || len(hashes) != hashSize*len(pushIDs) {
		return errInconsistentPush
	}
	for i, id := range pushIDs {
		if !r.asked[id] {
			continue
		}
		row := Mutation{MutationID: id, DeviceID: device, UserID: user, Result: answers[i], ReceivedAt: received}
		if h := hashes[i*hashSize : (i+1)*hashSize]; !bytes.Equal(h, zeroHash[:]) {
			row.BodyHash = h
		}
		r.found = append(r.found, row)
	}
	return nil
}

// pushResultsByIDs finds the stored pushes holding any of the ids $2 of
// organisation $1 pushed by the devices $3 and users $4 (pairwise). The
// ranged ones (migration 00382) come through push_results_ranges, by the
// range [$5, $6] of the version-7 ids among $2 (NULL when there is none):
// one index probe per device and user. The others come through the GIN
// index on mutation_ids, searched only when one of these devices and users
// has such a push (push_results_scattered): a GIN search costs about a
// microsecond per asked id even when the index holds nothing. Each push is
// in one of the two branches, so it comes once. Array parameters: one
// statement text whatever the number of ids and scopes.
//
// Each scope's probes are subqueries of their own (OFFSET 0 and LIMIT 1
// keep the planner from flattening them): flattened, a generic plan
// hash-joined the scopes with the organisation's whole part of
// push_results_ranges.
//
// The ids' array is read by a sub-select so that the planner cannot see its
// length. Seeing it (a custom plan), and having no element statistics for
// UUIDs that never repeat, it assumes each id matches 0.5 % of the rows, so
// that a group of 400 ids "matches" most of the table: it scanned all of
// push_results and compared every stored array with every id, 0.7 s at 400
// ids and 3 s at 2 000 on 8 000 stored pushes. A group grows when pushes
// queue, so one slow group made the next one bigger and slower (push p99
// 4.5-5.6 s with --check's pullers adding load, issue 17). Behind the
// sub-select the planner takes its default of 1 % and one index search,
// and keeps the index scan.
const pushResultsByIDs = `WITH s AS MATERIALIZED (SELECT * FROM unnest($3::text[]::uuid[], $4::text[]::uuid[]) AS s(device_id, user_id))
SELECT device_id, user_id, received_at, array_to_string(mutation_ids, ','), body_hashes, results
FROM push_results WHERE org_id = $1 AND NOT ranged AND mutation_ids && (SELECT $2::text[]::uuid[])
    AND EXISTS (SELECT FROM s CROSS JOIN LATERAL (SELECT FROM push_results q WHERE q.device_id = s.device_id
        AND q.user_id = s.user_id AND q.org_id = $1 AND NOT q.ranged LIMIT 1) AS q)
UNION ALL
SELECT p.device_id, p.user_id, p.received_at, array_to_string(p.mutation_ids, ','), p.body_hashes, p.results
FROM s CROSS JOIN LATERAL (SELECT * FROM push_results p WHERE p.org_id = $1 AND p.device_id = s.device_id
    AND p.user_id = s.user_id AND p.ranged AND p.last_id >= $5::uuid AND p.first_id <= $6::uuid OFFSET 0) AS p`

// pushResultsByIDsOfOrg is pushResultsByIDs for every device and user of
// the organisation: it reads the organisation's part of the range index,
// and each push of the range is checked for the ids.
const pushResultsByIDsOfOrg = `SELECT device_id, user_id, received_at, array_to_string(mutation_ids, ','), body_hashes, results
FROM push_results WHERE org_id = $1 AND NOT ranged AND mutation_ids && (SELECT $2::text[]::uuid[])
UNION ALL
SELECT device_id, user_id, received_at, array_to_string(mutation_ids, ','), body_hashes, results
FROM push_results WHERE org_id = $1 AND ranged AND last_id >= $3::uuid AND first_id <= $4::uuid
    AND mutation_ids && (SELECT $2::text[]::uuid[])`

// scopeColumns is scopes as two columns, devices and users, without
// repeats.
func scopeColumns(scopes []MutationScope) (devices, users []string) {
	seen := make(map[MutationScope]bool, len(scopes))
	for _, s := range scopes {
		s = MutationScope{strings.ToLower(s.DeviceID), strings.ToLower(s.UserID)}
		if !seen[s] {
			seen[s] = true
			devices, users = append(devices, s.DeviceID), append(users, s.UserID)
		}
	}
	return devices, users
}

// sequential tells an id whose first 48 bits are the time it was made, in
// milliseconds (a UUIDv7): the ids a device makes one after another grow.
// A push of such ids only is ranged (pushRange), and a lookup bounds its
// range with such ids only: no other id can be in a ranged push.
func sequential(id uuid.UUID) bool { return id.Version() == 7 }

// rangeSlack is how far past the server's clock an id may have been made
// for its push to be ranged: a phone's clock may be ahead by minutes, and
// one whose ids are days ahead would keep its pushes in every later range
// of its device until the server's clock catches up.
const rangeSlack = 24 * time.Hour

// pushRange is the smallest and largest of ids, and whether the push is
// ranged: every id sequential and none made more than rangeSlack after
// now. The bounds are compared as PostgreSQL compares uuids, byte by byte.
func pushRange(ids []string, now time.Time) (first, last string, ranged bool) {
	if len(ids) == 0 {
		return "", "", false
	}
	var bounds idRange
	for _, id := range ids {
		parsed, err := uuid.Parse(id)
		if err != nil || !sequential(parsed) {
			return "", "", false
		}
		bounds.add(parsed)
	}
	sec, nsec := bounds.high.Time().UnixTime() // a version-7 id's milliseconds
	if time.Unix(sec, nsec).After(now.Add(rangeSlack)) {
		return "", "", false
	}
	return bounds.low.String(), bounds.high.String(), true
}

// idRange is the smallest and largest of the ids added to it, compared as
// PostgreSQL compares uuids, byte by byte.
type idRange struct {
	low, high uuid.UUID
	any       bool // an id was added
}

func (r *idRange) add(id uuid.UUID) {
	if !r.any || bytes.Compare(id[:], r.low[:]) < 0 {
		r.low = id
	}
	if !r.any || bytes.Compare(id[:], r.high[:]) > 0 {
		r.high = id
	}
	r.any = true
}

var zeroHash [hashSize]byte

// errInconsistentPush is a stored push whose columns disagree on how many
// mutations it holds: written by hand, never by InsertMutations.
var errInconsistentPush = storeError("a stored push's ids, hashes and results disagree")

type storeError string

func (e storeError) Error() string { return string(e) }

// pushRow is the stored results of one device and user in a transaction.
type pushRow struct {
	id, device, user string
	ids              []string
	types            []string
	clientTimes      []byte // JSON array, written as it grows: digits and punctuation only
	hashes, results  []byte
}

// InsertMutations stores first results, one push row per device and user
// among rows, in one statement. The caller holds their scopes' claims
// (ClaimMutations); on SQLite a mutation stored meanwhile makes the insert
// fail with Conflict, and the caller retries the batch, which then replays.
func (tx *Tx) InsertMutations(rows []Mutation) error {
	const op = "store.InsertMutations"
	if len(rows) == 0 {
		return nil
	}
	// Each push's lists are made at their size: appended to as they came,
	// a push's results (a submitted inspection's 36) grew a dozen times
	// (issue 17: 78 MB of the server's allocations in 10 s of push load).
	type size struct{ rows, results int }
	sizes := map[MutationScope]size{}
	for _, r := range rows {
		scope := MutationScope{r.DeviceID, r.UserID}
		n := sizes[scope]
		sizes[scope] = size{n.rows + 1, n.results + len(r.Result) + 1}
	}
	var pushes []*pushRow
	byScope := make(map[MutationScope]*pushRow, len(sizes))
	for _, r := range rows {
		scope := MutationScope{r.DeviceID, r.UserID}
		p := byScope[scope]
		if p == nil {
			n := sizes[scope]
			p = &pushRow{id: uuid.Must(uuid.NewV7()).String(), device: r.DeviceID, user: r.UserID,
				ids: make([]string, 0, n.rows), types: make([]string, 0, n.rows), hashes: make([]byte, 0, n.rows*hashSize),
				results:     append(make([]byte, 0, n.results+1), '['),
				clientTimes: append(make([]byte, 0, n.rows*len(`"2006-01-02T15:04:05.999999999Z",`)+2), '[')}
			byScope[scope] = p
			pushes = append(pushes, p)
		}
		if len(p.ids) > 0 {
			p.results = append(p.results, ',')
			p.clientTimes = append(p.clientTimes, ',')
		}
		p.ids = append(p.ids, strings.ToLower(r.MutationID))
		p.types = append(p.types, r.Type)
		if r.ClientTime != nil {
			p.clientTimes = append(p.clientTimes, '"')
			p.clientTimes = r.ClientTime.UTC().AppendFormat(p.clientTimes, time.RFC3339Nano)
			p.clientTimes = append(p.clientTimes, '"')
		} else {
			p.clientTimes = append(p.clientTimes, "null"...)
		}
		if len(r.BodyHash) == hashSize {
			p.hashes = append(p.hashes, r.BodyHash...)
		} else {
			p.hashes = append(p.hashes, zeroHash[:]...)
		}
		p.results = append(p.results, r.Result...)
	}
	org := tx.orgOf()
	values := make([][]any, len(pushes))
	for i, p := range pushes {
		p.results = append(p.results, ']')
		p.clientTimes = append(p.clientTimes, ']')
		types, err := json.Marshal(p.types)
		if err != nil {
			return translate(op, err)
		}
		var ids any = p.ids
		if tx.db.dialect != Postgres {
			raw, err := json.Marshal(p.ids)
			if err != nil {
				return translate(op, err)
			}
			ids = string(raw)
		}
		values[i] = []any{p.id, org, p.device, p.user, tx.Now, ids, string(types), string(p.clientTimes), p.hashes, p.results}
		if tx.db.dialect == Postgres {
			var bounds [2]any // NULL unless ranged
			first, last, ranged := pushRange(p.ids, tx.Now)
			if ranged {
				bounds = [2]any{first, last}
			}
			values[i] = append(values[i], ranged, bounds[0], bounds[1])
		}
	}
	const columns, types = "id, org_id, device_id, user_id, received_at, mutation_ids, types, client_times, body_hashes, results",
		"uuid, uuid, uuid, uuid, timestamptz, uuid[], text, text, bytea, bytea"
	if tx.db.dialect == Postgres {
		err := tx.insertColumns("push_results", columns+", ranged, first_id, last_id", types+", bool, uuid, uuid", "", len(values),
			func(i int) []any { return values[i] })
		return translate(op, err)
	}
	err := tx.insertColumns("push_results", columns, types, "", len(values), func(i int) []any { return values[i] })
	if err != nil {
		return translate(op, err)
	}
	type idRow struct{ id, device, user, push string }
	var index []idRow
	for _, p := range pushes {
		for _, id := range p.ids {
			index = append(index, idRow{id, p.device, p.user, p.id})
		}
	}
	err = tx.insertMany("INSERT INTO push_result_ids (org_id, mutation_id, device_id, user_id, push_id) VALUES ", 5, 150, len(index),
		func(i int) []any { r := index[i]; return []any{org, r.id, r.device, r.user, r.push} })
	return translate(op, err)
}

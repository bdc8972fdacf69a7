// Package duties is the guard's duty (值班, issue 16 item 4): the roster
// (who holds which post when), the shift handover signed by the outgoing
// and the incoming guard, the duty log, training sessions with signed
// attendance and results, and the daily safety report with its cut-off.
//
// Each record has one write path, the functions taking a *store.Tx that
// both REST (the Service) and sync (internal/syncer) call. A signature is
// drawn by the signed-in person in their own session: nobody signs for
// someone else, and the two signatures of a handover are two people.
//
// Where the rules come from: 003 (posts, "三班倒", 24-hour duty, the duty
// room keeps the log, 中午交接或换班 "handover procedure completed and
// signed"); 001 第11篇 (signatures on delivery and handover); 001 第2篇
// 第十一条 (registers not modified or deleted within their retention);
// 004 (monthly security-skills training); 001 第7篇 (the daily safety
// report by 11:00, late or concealed reports penalised). 001/002 give no
// handover form and no shift times: the record holds what the seeds
// suggest (who, when, open matters, equipment state, keys and items,
// remarks; both confirm; an unconfirmed handover is flagged).
package duties

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Service holds the REST use cases.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService builds the service on the wall clock.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock that decides lateness and what "today" is
// (tests pass a fixed time).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Problems name what is wrong with a request (JSON pointer → rule);
// nothing was written.
type Problems map[string]string

// mayWorkAt reports whether p works at the site: admins everywhere, others
// at the sites they are attached to.
func mayWorkAt(p principal.Principal, siteID string) bool {
	return principal.OrgWide(p.Role) || slices.Contains(p.SiteIDs, siteID)
}

// siteFilter is the sites p may read, narrowed to one when asked (nil:
// every site).
func siteFilter(p principal.Principal, siteID string) []string {
	switch {
	case siteID != "" && mayWorkAt(p, siteID):
		return []string{siteID}
	case siteID != "":
		return []string{}
	case principal.OrgWide(p.Role):
		return nil
	}
	return append([]string{}, p.SiteIDs...)
}

// requireSite checks an active site p works at.
func requireSite(tx *store.Tx, p principal.Principal, siteID, pointer string, problems Problems) (store.Site, error) {
	if !input.IsUUID(siteID) {
		problems[pointer] = "must be a site id"
		return store.Site{}, nil
	}
	site, err := tx.Site(siteID)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && (!site.Active || !mayWorkAt(p, siteID)):
		problems[pointer] = "must be an active site you work at"
	case err != nil:
		return store.Site{}, err
	}
	return site, nil
}

// requirePerson checks an active user of the organisation who works at the
// site (admins work everywhere) and is not an auditor.
func requirePerson(tx *store.Tx, userID, siteID, pointer string, problems Problems) (store.User, error) {
	if !input.IsUUID(userID) {
		problems[pointer] = "must be a user id"
		return store.User{}, nil
	}
	user, err := tx.User(userID)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !user.Active:
		problems[pointer] = "must be an active user of the organisation"
	case err != nil:
		return store.User{}, err
	case user.Role == principal.Auditor:
		problems[pointer] = "an auditor holds no duty"
	case user.Role != principal.Admin && siteID != "" && !slices.Contains(user.SiteIDs, siteID):
		problems[pointer] = "must work at the site"
	}
	return user, nil
}

// checkText requires a trimmed text of at most max characters (when
// required) and no control characters but tab and line breaks.
func checkText(value, pointer string, max int, required bool, problems Problems) string {
	value = strings.TrimSpace(value)
	switch {
	case required && value == "":
		problems[pointer] = "required"
	case len([]rune(value)) > max:
		problems[pointer] = "at most " + itoa(max) + " characters"
	case !input.CleanString(value):
		problems[pointer] = input.ControlRule
	}
	return value
}

// checkTime parses a required RFC 3339 time.
func checkTime(value, pointer string, problems Problems) time.Time {
	at := input.ParseTime(value)
	if at == nil {
		problems[pointer] = "required: an RFC 3339 time"
		return time.Time{}
	}
	return at.UTC()
}

// checkStrokes requires a drawn signature in the API's one stroke format,
// [[[x, y], ...], ...], with something drawn and bounded in size; it
// returns the strokes as stored.
func checkStrokes(raw json.RawMessage, pointer string, problems Problems) []byte {
	var strokes [][][]float64
	if json.Unmarshal(raw, &strokes) != nil || len(strokes) == 0 {
		problems[pointer] = "required: the signature as drawn, [[[x, y], ...], ...]"
		return nil
	}
	points := 0
	for _, stroke := range strokes {
		for _, point := range stroke {
			if len(point) != 2 || math.IsNaN(point[0]) || math.IsInf(point[0], 0) || math.IsNaN(point[1]) || math.IsInf(point[1], 0) {
				problems[pointer] = "every point is [x, y]"
				return nil
			}
		}
		points += len(stroke)
	}
	switch {
	case points < 2:
		problems[pointer] = "a signature is drawn: at least two points"
		return nil
	case points > 20000:
		problems[pointer] = "at most 20000 points"
		return nil
	}
	out, _ := json.Marshal(strokes)
	return out
}

// newID parses a client-chosen id or makes one.
func newID(id, pointer string, problems Problems) string {
	if id == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	parsed, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		problems[pointer] = "must be a UUID"
		return id
	}
	return parsed.String()
}

// invalid turns problems into the REST error, the payload's pointers
// made the body's (the REST body is the mutation's payload).
// refused turns the problems of a mutation applied over REST into the
// answer: the record named missing as not found (404), any other trouble
// with the id as taken (the record exists and can't take this: taken is
// the kind, 409 or 403), the rest as field errors (422). No problems: nil.
func refused(op string, problems Problems, missing string, taken errs.Kind) error {
	switch id := problems["/entity_id"]; {
	case len(problems) == 0:
		return nil
	case missing != "" && id == missing:
		return errs.E(op, errs.NotFound, "not found")
	case id != "":
		return errs.E(op, taken, id)
	default:
		return invalid(op, problems)
	}
}

func invalid(op string, problems Problems) error {
	fields := map[string]string{}
	for pointer, rule := range problems {
		fields[strings.TrimPrefix(pointer, "/payload")] = rule
	}
	return errs.Fields(op, fields)
}

// names reads the names of users by id.
func names(tx *store.Tx, ids ...string) (map[string]string, error) {
	return tx.UserNames(ids)
}

// Range is a time range of a list.
type Range struct{ From, To time.Time }

// rangeOf is the asked range, a week back from now when not given, at
// most 62 days.
func rangeOf(r Range, now time.Time) (Range, error) {
	if r.To.IsZero() {
		r.To = now.Add(24 * time.Hour)
	}
	if r.From.IsZero() {
		r.From = r.To.Add(-8 * 24 * time.Hour)
	}
	if !r.To.After(r.From) || r.To.Sub(r.From) > 62*24*time.Hour {
		return r, errs.Fields("duties.range", map[string]string{"/to": "after from, at most 62 days after it"})
	}
	return r, nil
}

// viewsOf maps a list's rows to what clients see, in order, stopping at
// the first row that cannot be rendered: the one mapping every duty list
// (handovers, trainings, ...) shares.
func viewsOf[R, V any](rows []R, view func(R) (V, error)) ([]V, error) {
	out := make([]V, 0, len(rows))
	for _, row := range rows {
		v, err := view(row)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// record puts a duty record in the change log for devices.
func record(tx *store.Tx, entityType, id string, version int64, view any, c store.Change) error {
	data, err := json.Marshal(view)
	if err != nil {
		return errs.E("duties.record", errs.Internal, err)
	}
	c.EntityType, c.EntityID, c.Op, c.Version, c.Data = entityType, id, "upsert", version, data
	tx.RecordChange(c)
	return nil
}

// withPrincipal is the principal of ctx.
func withPrincipal(ctx context.Context) principal.Principal {
	p, _ := principal.From(ctx)
	return p
}

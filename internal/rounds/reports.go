package rounds

import (
	"context"
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// ReportLimit is the most rounds one summary or export reads.
const ReportLimit = 20000

// Filter narrows round lists and reports.
type Filter struct {
	SiteID  string
	RouteID string
	GuardID string
	Status  string
	From    *time.Time
	To      *time.Time
}

// storeFilter applies the caller's visibility; false when they may see
// nothing that matches.
func storeFilter(p principal.Principal, f Filter) (store.RoundFilter, bool) {
	sites, ok := siteScope(p, f.SiteID)
	out := store.RoundFilter{SiteIDs: sites, AssigneeID: f.GuardID, RouteID: f.RouteID, Status: f.Status, From: f.From, To: f.To}
	if p.Role == principal.Guard {
		if f.GuardID != "" && f.GuardID != p.UserID {
			return out, false
		}
		out.AssigneeID, out.AssigneeOf = "", p.UserID
	}
	return out, ok
}

// ListRounds lists the rounds the caller may see.
func (s *Service) ListRounds(ctx context.Context, f Filter, page store.Page) ([]Round, string, error) {
	p, _ := principal.From(ctx)
	filter, ok := storeFilter(p, f)
	if !ok {
		return []Round{}, "", nil
	}
	rows, next, err := s.db.Read(ctx).ListRounds(filter, page)
	out := make([]Round, len(rows))
	for i, r := range rows {
		out[i] = RoundView(r)
	}
	return out, next, errs.Wrap("rounds.ListRounds", err)
}

// Tally counts rounds by outcome. Rate is completed over judged rounds
// (rounds still scheduled are not counted against anyone yet).
type Tally struct {
	Total     int     `json:"total"`
	Completed int     `json:"completed"`
	Partial   int     `json:"partial"`
	Missed    int     `json:"missed"`
	Scheduled int     `json:"scheduled"`
	Rate      float64 `json:"completion_rate"`
}

// RouteTally is a route's tally.
type RouteTally struct {
	RouteID *string `json:"route_id"`
	Name    string  `json:"name"`
	Tally
}

// GuardTally is a guard's tally; a pool round counts for the guard who
// scanned it first, or for nobody (null) when nobody did.
type GuardTally struct {
	GuardID *string `json:"guard_id"`
	Tally
}

// Summary is the completion report of a period.
type Summary struct {
	From     *time.Time   `json:"from"`
	To       *time.Time   `json:"to"`
	Overall  Tally        `json:"overall"`
	ByRoute  []RouteTally `json:"by_route"`
	ByGuard  []GuardTally `json:"by_guard"`
	Complete bool         `json:"complete"` // false when the period held more than ReportLimit rounds
}

func (t *Tally) add(status string) {
	t.Total++
	switch status {
	case Completed:
		t.Completed++
	case Partial:
		t.Partial++
	case Missed:
		t.Missed++
	default:
		t.Scheduled++
	}
	if judged := t.Completed + t.Partial + t.Missed; judged > 0 {
		t.Rate = float64(t.Completed) / float64(judged)
	}
}

// reportRows reads the rounds of a report with who did each.
func (s *Service) reportRows(ctx context.Context, f Filter) ([]store.Round, map[string]string, bool, error) {
	p, _ := principal.From(ctx)
	filter, ok := storeFilter(p, f)
	if !ok {
		return nil, nil, true, nil
	}
	tx := s.db.Read(ctx)
	rows, err := tx.AllRounds(filter, ReportLimit+1)
	if err != nil {
		return nil, nil, false, err
	}
	complete := len(rows) <= ReportLimit
	if !complete {
		rows = rows[:ReportLimit]
	}
	doers := map[string]string{}
	var pool []string
	for _, r := range rows {
		if r.AssigneeID != nil {
			doers[r.ID] = *r.AssigneeID
		} else {
			pool = append(pool, r.ID)
		}
	}
	for start := 0; start < len(pool); start += 500 {
		scans, err := tx.ScansOfRounds(pool[start:min(start+500, len(pool))])
		if err != nil {
			return nil, nil, false, err
		}
		for _, sc := range scans {
			if _, ok := doers[sc.RoundID]; !ok {
				doers[sc.RoundID] = sc.UserID
			}
		}
	}
	return rows, doers, complete, nil
}

// Summary reports completion rates per route and per guard.
func (s *Service) Summary(ctx context.Context, f Filter) (Summary, error) {
	rows, doers, complete, err := s.reportRows(ctx, f)
	if err != nil {
		return Summary{}, errs.Wrap("rounds.Summary", err)
	}
	out := Summary{From: f.From, To: f.To, ByRoute: []RouteTally{}, ByGuard: []GuardTally{}, Complete: complete}
	routes, guards := map[string]*RouteTally{}, map[string]*GuardTally{}
	for _, r := range rows {
		out.Overall.add(r.Status)
		routeKey := ""
		if r.RouteID != nil {
			routeKey = *r.RouteID
		}
		if routes[routeKey] == nil {
			routes[routeKey] = &RouteTally{RouteID: r.RouteID, Name: r.Name}
		}
		routes[routeKey].add(r.Status)
		doer := doers[r.ID]
		if guards[doer] == nil {
			guards[doer] = &GuardTally{}
			if doer != "" {
				guards[doer].GuardID = &doer
			}
		}
		guards[doer].add(r.Status)
	}
	for _, key := range sortedKeys(routes) {
		out.ByRoute = append(out.ByRoute, *routes[key])
	}
	for _, key := range sortedKeys(guards) {
		out.ByGuard = append(out.ByGuard, *guards[key])
	}
	return out, nil
}

// CSVHeader is the first line of the export. The site and guard are named
// after the ids, for people reading the file in a spreadsheet.
var CSVHeader = []string{"round_id", "site_id", "kind", "name", "route_id", "guard_id", "slot_at", "local",
	"timezone", "window_end", "status", "scanned", "total", "flags", "site_name", "guard_name"}

// ExportCSV writes the rounds of a period as CSV, one line per round, after
// a UTF-8 byte-order mark so that Excel reads the Chinese names as UTF-8.
func (s *Service) ExportCSV(ctx context.Context, f Filter, w io.Writer) error {
	const op = "rounds.ExportCSV"
	rows, doers, _, err := s.reportRows(ctx, f)
	if err != nil {
		return errs.Wrap(op, err)
	}
	sites, people, err := s.names(ctx, rows, doers)
	if err != nil {
		return errs.Wrap(op, err)
	}
	io.WriteString(w, "\uFEFF")
	out := csv.NewWriter(w)
	out.Write(CSVHeader)
	for _, r := range rows {
		v := RoundView(r)
		out.Write([]string{v.ID, v.SiteID, v.Kind, safeCell(v.Name), deref(v.RouteID), doers[r.ID],
			v.SlotAt.Format(time.RFC3339), v.Local, v.Timezone, v.WindowEnd.Format(time.RFC3339), v.Status,
			strconv.Itoa(v.ScannedCount), strconv.Itoa(v.TotalCount), strings.Join(v.Flags, " "),
			safeCell(sites[v.SiteID]), safeCell(people[doers[r.ID]])})
	}
	out.Flush()
	return errs.Wrap(op, out.Error())
}

// names reads the names of the sites and guards of an export.
func (s *Service) names(ctx context.Context, rows []store.Round, doers map[string]string) (map[string]string, map[string]string, error) {
	tx := s.db.Read(ctx)
	siteIDs, userIDs := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		siteIDs[r.SiteID] = true
		if doer := doers[r.ID]; doer != "" {
			userIDs[doer] = true
		}
	}
	sites := map[string]string{}
	ids := sortedKeys(siteIDs)
	for start := 0; start < len(ids); start += 500 {
		list, _, err := tx.ListSites(store.SiteFilter{IDs: ids[start:min(start+500, len(ids))]}, store.Page{Limit: 500})
		if err != nil {
			return nil, nil, err
		}
		for _, site := range list {
			sites[site.ID] = site.Name
		}
	}
	people, err := tx.UserNames(sortedKeys(userIDs))
	return sites, people, err
}

// safeCell keeps a spreadsheet from running a cell as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

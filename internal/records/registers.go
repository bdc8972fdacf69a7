package records

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Registers.
const (
	InspectionRegister = "inspections"
	HazardRegister     = "hazards"
	HandoverRegister   = "handovers"
	// OutsiderRegister lists the visitor and outside-inspector registers
	// (seed 1, 外来人员登记: the cu-outsider-register and
	// cu-outside-inspector-register templates).
	OutsiderRegister = "outsiders"
)

// registerTemplates is which checklists' inspections make up a register
// that is a subset of the inspections (template_key LIKE pattern).
var registerTemplates = map[string]string{HandoverRegister: "%handover%", OutsiderRegister: "%outside%"}

// maxExport bounds one CSV export; narrow the date range for more.
const maxExport = 50000

// RegisterFilter narrows a register: a date range on when the record was
// created, and a site.
type RegisterFilter struct {
	SiteID   string
	From, To *time.Time
}

// InspectionRow is one line of the inspection or handover register.
type InspectionRow struct {
	// Kind is "inspection" in the handover register, which also lists
	// shift handovers; absent elsewhere.
	Kind            string     `json:"kind,omitempty"`
	ID              string     `json:"id"`
	SiteID          string     `json:"site_id"`
	TemplateKey     string     `json:"template_key"`
	TemplateVersion int        `json:"template_version"`
	OwnerID         string     `json:"owner_id"`
	Status          string     `json:"status"`
	Outcome         *string    `json:"outcome"`
	Score           *float64   `json:"score"`
	StartedAt       *time.Time `json:"started_at"`
	SubmittedAt     *time.Time `json:"submitted_at"`
	ReceivedAt      *time.Time `json:"received_at"`
	ApprovedBy      *string    `json:"approved_by"`
	ApprovedAt      *time.Time `json:"approved_at"`
	ContentHash     *string    `json:"content_hash"`
	CreatedAt       time.Time  `json:"created_at"`
	// Visitors are who an outsider-register inspection let in; only in
	// the outsider register.
	Visitors []Visitor `json:"visitors,omitempty"`
}

// HazardRow is one line of the hazard rectification ledger (隐患整改台账).
type HazardRow struct {
	ID                string     `json:"id"`
	SiteID            string     `json:"site_id"`
	InspectionID      *string    `json:"inspection_id"`
	ItemPath          string     `json:"item_path"`
	Title             string     `json:"title"`
	Severity          string     `json:"severity"`
	Status            string     `json:"status"`
	Overdue           bool       `json:"overdue"`
	DueAt             *time.Time `json:"due_at"`
	AssigneeID        *string    `json:"assignee_id"`
	RectifierID       *string    `json:"rectifier_id"`
	RectifiedAt       *time.Time `json:"rectified_at"`
	RectificationNote string     `json:"rectification_note"`
	VerifierID        *string    `json:"verifier_id"`
	VerifiedAt        *time.Time `json:"verified_at"`
	ClosedAt          *time.Time `json:"closed_at"`
	EscalationLevel   int        `json:"escalation_level"`
	CreatedAt         time.Time  `json:"created_at"`
}

// Inspections reads a page of the inspection register, or of a register
// made of some checklists' inspections (handovers, outsiders).
func (s *Service) Inspections(ctx context.Context, f RegisterFilter, register string, page store.Page) ([]InspectionRow, string, error) {
	p, _ := principal.From(ctx)
	filter := store.InspectionFilter{From: f.From, To: f.To}
	filter.SiteIDs = sites(p, f.SiteID)
	filter.TemplateMatch = registerTemplates[register]
	rows, next, err := s.db.Read(ctx).ListInspections(filter, page)
	if err != nil {
		return nil, "", errs.Wrap("records.Inspections", err)
	}
	labels := reasonLabels{read: s.readTemplate(ctx), templates: map[versionKey]*checklists.Template{}}
	out := make([]InspectionRow, len(rows))
	for i, r := range rows {
		var visitors []Visitor
		if register == OutsiderRegister {
			visitors = visitorsOf(r, labels.of(r))
		}
		out[i] = InspectionRow{Visitors: visitors, ID: r.ID, SiteID: r.SiteID, TemplateKey: r.TemplateKey, TemplateVersion: r.TemplateVersion,
			OwnerID: r.OwnerID, Status: r.Status, Outcome: r.Outcome, Score: r.Score, StartedAt: r.StartedAt,
			SubmittedAt: r.SubmittedAt, ReceivedAt: r.ReceivedAt, ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt,
			ContentHash: r.ContentHash, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, next, nil
}

// readTemplate reads one checklist version, nil when unreadable.
func (s *Service) readTemplate(ctx context.Context) func(string, int) (*checklists.Template, error) {
	return func(templateID string, number int) (*checklists.Template, error) {
		version, err := s.db.Read(ctx).TemplateVersion(templateID, number)
		if err != nil {
			return nil, err
		}
		return checklists.Parse([]byte(version.Document))
	}
}

// Hazards reads a page of the hazard register.
func (s *Service) Hazards(ctx context.Context, f RegisterFilter, page store.Page) ([]HazardRow, string, error) {
	p, _ := principal.From(ctx)
	filter := store.FindingFilter{From: f.From, To: f.To, SiteIDs: sites(p, f.SiteID)}
	rows, next, err := s.db.Read(ctx).ListFindings(filter, page)
	if err != nil {
		return nil, "", errs.Wrap("records.Hazards", err)
	}
	now := time.Now().UTC()
	out := make([]HazardRow, len(rows))
	for i, r := range rows {
		overdue := r.DueAt != nil && r.DueAt.Before(now) && slices.Contains(store.OpenFindingStates, r.Status)
		out[i] = HazardRow{ID: r.ID, SiteID: r.SiteID, InspectionID: r.InspectionID, ItemPath: r.ItemPath, Title: r.Title,
			Severity: r.Severity, Status: r.Status, Overdue: overdue, DueAt: r.DueAt, AssigneeID: r.AssigneeID,
			RectifierID: r.RectifierID, RectifiedAt: r.RectifiedAt, RectificationNote: r.RectificationNote,
			VerifierID: r.VerifierID, VerifiedAt: r.VerifiedAt, ClosedAt: r.ClosedAt, EscalationLevel: r.EscalationLevel,
			CreatedAt: r.CreatedAt.UTC()}
	}
	return out, next, nil
}

// sites limits a register to the caller's sites (admins: all, or one).
func sites(p principal.Principal, siteID string) []string {
	if principal.OrgWide(p.Role) {
		if siteID == "" {
			return nil
		}
		return []string{siteID}
	}
	if siteID == "" {
		return append([]string{}, p.SiteIDs...)
	}
	if slices.Contains(p.SiteIDs, siteID) {
		return []string{siteID}
	}
	return []string{}
}

// ExportCSV writes a whole register (up to maxExport rows) as CSV for
// people to open in a spreadsheet: a UTF-8 byte-order mark first (without
// it Excel reads the Chinese as another code page), a bilingual header,
// sites and people by name, and times in each site's time zone with the
// offset. Cells that a spreadsheet would run as a formula are quoted out.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, register string, f RegisterFilter) error {
	const op = "records.ExportCSV"
	names, err := s.namesFor(ctx)
	if err != nil {
		return errs.Wrap(op, err)
	}
	out := csv.NewWriter(w)
	io.WriteString(w, "\uFEFF")
	switch register {
	case HazardRegister:
		out.Write(hazardHeader)
	case HandoverRegister:
		out.Write(append(append([]string{}, inspectionHeader...), shiftHandoverHeader...))
	case OutsiderRegister:
		out.Write(append(append([]string{}, inspectionHeader...), visitorHeader...))
	default:
		out.Write(inspectionHeader)
	}
	page := store.Page{Limit: 500}
	for written := 0; written < maxExport; {
		var lines [][]string
		var next string
		var err error
		switch register {
		case HazardRegister:
			var rows []HazardRow
			rows, next, err = s.Hazards(ctx, f, page)
			if err == nil {
				lines, err = names.hazardLines(rows)
			}
		case HandoverRegister:
			var rows []any
			rows, next, err = s.HandoverRows(ctx, f, page)
			if err == nil {
				lines, err = names.handoverLines(rows)
			}
		default:
			var rows []InspectionRow
			rows, next, err = s.Inspections(ctx, f, register, page)
			if err == nil {
				lines, err = names.inspectionLines(rows)
			}
			if err == nil && register == OutsiderRegister {
				lines = names.visitorLines(rows, lines)
			}
		}
		if err != nil {
			return err
		}
		if err := out.WriteAll(lines); err != nil {
			return errs.E(op, errs.Unavailable, err)
		}
		written += len(lines)
		if next == "" {
			break
		}
		page.After = next
	}
	out.Flush()
	return nil
}

var inspectionHeader = []string{"记录编号 ID", "地点 Site", "时区 Time zone", "模板 Checklist", "版本 Version",
	"检查人 Inspector", "状态 Status", "结果 Outcome", "得分 Score", "开始时间 Started", "提交时间 Submitted",
	"收到时间 Received", "签核人 Signed off by", "签核时间 Signed off at", "内容摘要 Content hash", "创建时间 Created"}

var hazardHeader = []string{"隐患编号 ID", "地点 Site", "时区 Time zone", "检查记录 Inspection ID", "检查项 Item",
	"隐患 Finding", "等级 Severity", "状态 Status", "逾期 Overdue", "整改期限 Due", "责任人 Assignee",
	"整改人 Rectified by", "整改时间 Rectified at", "整改说明 Rectification note", "复查人 Verified by",
	"复查时间 Verified at", "关闭时间 Closed at", "督办级别 Escalation level", "创建时间 Created"}

// names prints the sites, people and checklist items of one export, read
// as rows need them.
type names struct {
	tx          *store.Tx
	sites       map[string]store.Site
	zones       map[string]*time.Location
	users       map[string]string
	inspections map[string]versionKey               // inspection id → its checklist
	templates   map[versionKey]*checklists.Template // nil when unreadable
}

type versionKey struct {
	templateID string
	number     int
}

func (s *Service) namesFor(ctx context.Context) (*names, error) {
	n := &names{tx: s.db.Read(ctx), sites: map[string]store.Site{}, zones: map[string]*time.Location{},
		users: map[string]string{}, inspections: map[string]versionKey{}, templates: map[versionKey]*checklists.Template{}}
	for page := (store.Page{Limit: 500}); ; {
		sites, next, err := n.tx.ListSites(store.SiteFilter{}, page)
		if err != nil {
			return nil, err
		}
		for _, site := range sites {
			n.sites[site.ID] = site
			if loc, err := time.LoadLocation(site.Timezone); err == nil {
				n.zones[site.ID] = loc
			} else {
				n.zones[site.ID] = time.UTC
			}
		}
		if next == "" {
			return n, nil
		}
		page.After = next
	}
}

// learn reads the names of the people of a page of rows not seen yet.
func (n *names) learn(ids ...*string) error {
	var unknown []string
	for _, id := range ids {
		if id != nil && *id != "" {
			if _, ok := n.users[*id]; !ok {
				unknown = append(unknown, *id)
			}
		}
	}
	found, err := n.tx.UserNames(uuids(unknown))
	for _, id := range unknown {
		n.users[id] = found[id]
	}
	return err
}

// learnItems reads the checklists of the inspections findings came from.
func (n *names) learnItems(rows []HazardRow) error {
	var unknown []string
	for _, r := range rows {
		if r.InspectionID != nil {
			if _, ok := n.inspections[*r.InspectionID]; !ok {
				unknown = append(unknown, *r.InspectionID)
			}
		}
	}
	if unknown = uuids(unknown); len(unknown) == 0 {
		return nil
	}
	found, _, err := n.tx.InspectionsByID(unknown)
	if err != nil {
		return err
	}
	for id, row := range found {
		key := versionKey{row.TemplateID, row.TemplateVersion}
		n.inspections[id] = key
		if _, ok := n.templates[key]; ok {
			continue
		}
		version, err := n.tx.TemplateVersion(key.templateID, key.number)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		n.templates[key], _ = checklists.Parse([]byte(version.Document))
	}
	return nil
}

// item names the checklist item a finding is about, in both languages;
// the item path when the checklist is unknown.
func (n *names) item(inspectionID *string, path string) string {
	if inspectionID != nil {
		if template := n.templates[n.inspections[*inspectionID]]; template != nil {
			if label := itemLabel(template, path); label != "" {
				return safeCell(label)
			}
		}
	}
	return safeCell(path)
}

// itemLabel is the label of the item at a JSON pointer path (/key, or
// /group/n/key inside a repeat), both languages joined.
func itemLabel(template *checklists.Template, path string) string {
	both := func(t checklists.Text) string {
		zh, en := localized(t, "zh-CN"), localized(t, "en")
		if zh == en {
			return zh
		}
		return zh + " / " + en
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, section := range template.Sections {
		for _, item := range section.Items {
			if item.Key != parts[0] {
				continue
			}
			if len(parts) == 1 {
				return both(item.Label)
			}
			n, err := strconv.Atoi(parts[1])
			if len(parts) != 3 || err != nil {
				return ""
			}
			for _, child := range item.Items {
				if child.Key == parts[2] {
					return fmt.Sprintf("%s #%d · %s", both(item.Label), n+1, both(child.Label))
				}
			}
		}
	}
	return ""
}

func (n *names) user(id *string) string {
	if id == nil || *id == "" {
		return ""
	}
	if name := n.users[*id]; name != "" {
		return safeCell(name)
	}
	return *id // a person the organisation no longer knows
}

func (n *names) site(id string) string {
	site, ok := n.sites[id]
	if !ok {
		return id
	}
	if site.Code != "" {
		return safeCell(site.Name + " (" + site.Code + ")")
	}
	return safeCell(site.Name)
}

func (n *names) zone(siteID string) *time.Location {
	if loc := n.zones[siteID]; loc != nil {
		return loc
	}
	return time.UTC
}

// at prints a time in a site's zone with its offset.
func (n *names) at(siteID string, t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(n.zone(siteID)).Format("2006-01-02 15:04:05 -07:00")
}

func (n *names) inspectionLines(rows []InspectionRow) ([][]string, error) {
	var people []*string
	for i := range rows {
		people = append(people, &rows[i].OwnerID, rows[i].ApprovedBy)
	}
	if err := n.learn(people...); err != nil {
		return nil, err
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, []string{r.ID, n.site(r.SiteID), n.zone(r.SiteID).String(), safeCell(r.TemplateKey),
			strconv.Itoa(r.TemplateVersion), n.user(&r.OwnerID), r.Status, str(r.Outcome), num(r.Score),
			n.at(r.SiteID, r.StartedAt), n.at(r.SiteID, r.SubmittedAt), n.at(r.SiteID, r.ReceivedAt),
			n.user(r.ApprovedBy), n.at(r.SiteID, r.ApprovedAt), str(r.ContentHash), n.at(r.SiteID, &r.CreatedAt)})
	}
	return out, nil
}

func (n *names) hazardLines(rows []HazardRow) ([][]string, error) {
	var people []*string
	for i := range rows {
		people = append(people, rows[i].AssigneeID, rows[i].RectifierID, rows[i].VerifierID)
	}
	if err := n.learn(people...); err != nil {
		return nil, err
	}
	if err := n.learnItems(rows); err != nil {
		return nil, err
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, []string{r.ID, n.site(r.SiteID), n.zone(r.SiteID).String(), str(r.InspectionID),
			n.item(r.InspectionID, r.ItemPath), safeCell(r.Title), r.Severity, r.Status, strconv.FormatBool(r.Overdue),
			n.at(r.SiteID, r.DueAt), n.user(r.AssigneeID), n.user(r.RectifierID), n.at(r.SiteID, r.RectifiedAt),
			safeCell(r.RectificationNote), n.user(r.VerifierID), n.at(r.SiteID, r.VerifiedAt),
			n.at(r.SiteID, r.ClosedAt), strconv.Itoa(r.EscalationLevel), n.at(r.SiteID, &r.CreatedAt)})
	}
	return out, nil
}

// safeCell keeps a spreadsheet from running a cell as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func num(f *float64) string {
	if f == nil {
		return ""
	}
	return fmt.Sprintf("%g", *f)
}

package records

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/pdfdoc"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Periods of a periodic report. Seed 1 (safety management of credit-union
// business outlets) asks for regular reporting of inspections, hidden
// hazards and their rectification, incidents and drills; these are the
// figures a bank's security manager sends up weekly, monthly and yearly.
const (
	PeriodWeek  = "week"
	PeriodMonth = "month"
	PeriodYear  = "year"
)

// PeriodicQuery asks for one period: the week (Monday to Sunday), month
// or year holding Date (YYYY-MM-DD, in each site's own zone; today when
// empty), for one site or every site the caller sees.
type PeriodicQuery struct {
	Period string
	Date   string
	SiteID string
}

// Check names every problem of the query: JSON pointer → rule.
func (q PeriodicQuery) Check() map[string]string {
	fields := map[string]string{}
	if q.Period != PeriodWeek && q.Period != PeriodMonth && q.Period != PeriodYear {
		fields["/period"] = "must be week, month or year"
	}
	if q.Date != "" {
		if day, err := time.Parse(time.DateOnly, q.Date); err != nil || day.Year() < 2000 || day.Year() > 2199 {
			fields["/date"] = "must be a day such as 2026-12-01"
		}
	}
	return fields
}

// PeriodicReport is the figures per site and their sum.
type PeriodicReport struct {
	Period      string        `json:"period"`
	Date        string        `json:"date"`
	Label       string        `json:"label"`
	Sites       []SiteFigures `json:"sites"`
	Total       Figures       `json:"total"`
	GeneratedAt time.Time     `json:"generated_at"`
}

// SiteFigures is one site's figures over its own local period.
type SiteFigures struct {
	SiteID   string    `json:"site_id"`
	SiteName string    `json:"site_name"`
	Timezone string    `json:"timezone"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Figures
}

// Figures are what was done, missed and found.
type Figures struct {
	Inspections struct {
		Submitted int64 `json:"submitted"`
		Approved  int64 `json:"approved"`
		Returned  int64 `json:"returned"`
		Failed    int64 `json:"failed"`
		Late      int64 `json:"late"`
	} `json:"inspections"`
	Rounds struct {
		Scheduled int64 `json:"scheduled"`
		Completed int64 `json:"completed"`
		Partial   int64 `json:"partial"`
		Missed    int64 `json:"missed"`
		Open      int64 `json:"open"`
	} `json:"rounds"`
	Findings struct {
		Opened  int64 `json:"opened"`
		Closed  int64 `json:"closed"`
		Overdue int64 `json:"overdue"`
	} `json:"findings"`
	// Incidents by level: general 一般, serious 较大, major 重大,
	// critical 特别重大 (every level present, zero or not).
	Incidents map[string]int64 `json:"incidents"`
	// Drills are the drill inspections submitted (templates whose key
	// names a drill, such as emergency-drill-quarterly).
	Drills int64 `json:"drills"`
	// FailedItems are the checklist items that failed, how often, most
	// often first (a site's own; the total's across the sites).
	FailedItems []FailedItem `json:"failed_items"`
}

// incidentLevels in order, with their names in print.
var incidentLevels = []struct{ code, zh, en string }{
	{"general", "一般", "general"}, {"serious", "较大", "serious"}, {"major", "重大", "major"}, {"critical", "特别重大", "critical"},
}

func figuresOf(f store.PeriodFigures) Figures {
	var out Figures
	out.Inspections.Submitted, out.Inspections.Approved, out.Inspections.Returned = f.InspectionsSubmitted, f.InspectionsApproved, f.InspectionsReturned
	out.Inspections.Failed, out.Inspections.Late = f.InspectionsFailed, f.InspectionsLate
	out.Rounds.Scheduled, out.Rounds.Completed, out.Rounds.Partial = f.RoundsScheduled, f.RoundsCompleted, f.RoundsPartial
	out.Rounds.Missed, out.Rounds.Open = f.RoundsMissed, f.RoundsOpen
	out.Findings.Opened, out.Findings.Closed, out.Findings.Overdue = f.FindingsOpened, f.FindingsClosed, f.FindingsOverdue
	out.Incidents = map[string]int64{}
	for _, level := range incidentLevels {
		out.Incidents[level.code] = f.IncidentsByLevel[level.code]
	}
	out.Drills = f.Drills
	return out
}

func (f *Figures) add(g Figures) {
	f.Inspections.Submitted += g.Inspections.Submitted
	f.Inspections.Approved += g.Inspections.Approved
	f.Inspections.Returned += g.Inspections.Returned
	f.Inspections.Failed += g.Inspections.Failed
	f.Inspections.Late += g.Inspections.Late
	f.Rounds.Scheduled += g.Rounds.Scheduled
	f.Rounds.Completed += g.Rounds.Completed
	f.Rounds.Partial += g.Rounds.Partial
	f.Rounds.Missed += g.Rounds.Missed
	f.Rounds.Open += g.Rounds.Open
	f.Findings.Opened += g.Findings.Opened
	f.Findings.Closed += g.Findings.Closed
	f.Findings.Overdue += g.Findings.Overdue
	for level, n := range g.Incidents {
		f.Incidents[level] += n
	}
	f.Drills += g.Drills
	f.FailedItems = mergeFailed(f.FailedItems, g.FailedItems)
}

// bounds is the local period holding day, as instants.
func bounds(period string, day time.Time) (time.Time, time.Time, string) {
	y, m, d := day.Date()
	loc := day.Location()
	switch period {
	case PeriodWeek:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		from := time.Date(y, m, d-back, 0, 0, 0, 0, loc)
		year, week := from.ISOWeek()
		return from, time.Date(y, m, d-back+7, 0, 0, 0, 0, loc), fmt.Sprintf("%d-W%02d", year, week)
	case PeriodMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc), time.Date(y, m+1, 1, 0, 0, 0, 0, loc), fmt.Sprintf("%d-%02d", y, m)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, loc), time.Date(y+1, 1, 1, 0, 0, 0, 0, loc), strconv.Itoa(y)
}

// Periodic computes a periodic report at now.
func (s *Service) Periodic(ctx context.Context, q PeriodicQuery, now time.Time) (PeriodicReport, error) {
	const op = "records.Periodic"
	fields := q.Check()
	day, _ := time.Parse(time.DateOnly, q.Date)
	if len(fields) > 0 {
		return PeriodicReport{}, errs.Fields(op, fields)
	}
	p, _ := principal.From(ctx)
	allowed := sites(p, q.SiteID)
	if allowed != nil && len(allowed) == 0 {
		return PeriodicReport{}, errs.E(op, errs.NotFound, "not found")
	}
	report := PeriodicReport{Period: q.Period, Date: q.Date, Sites: []SiteFigures{}, GeneratedAt: now.UTC()}
	report.Total.Incidents, report.Total.FailedItems = map[string]int64{}, []FailedItem{}
	for _, level := range incidentLevels {
		report.Total.Incidents[level.code] = 0
	}
	tx := s.db.Read(ctx)
	read := &failedItemsRead{tx: tx, templates: map[versionKey]*checklists.Template{}}
	active := true
	for page := (store.Page{Limit: 500}); ; {
		list, next, err := tx.ListSites(store.SiteFilter{IDs: allowed, Active: &active}, page)
		if err != nil {
			return report, errs.Wrap(op, err)
		}
		for _, site := range list {
			loc, err := time.LoadLocation(site.Timezone)
			if err != nil {
				loc = time.UTC
			}
			local := now.In(loc)
			if q.Date != "" {
				local = time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, loc)
			}
			from, to, label := bounds(q.Period, local)
			report.Label = label
			counted, err := tx.PeriodFigures(site.ID, from, to, now)
			if err != nil {
				return report, errs.Wrap(op, err)
			}
			figures := figuresOf(counted)
			evaluated, err := tx.EvaluationsIn(site.ID, from, to)
			if err != nil {
				return report, errs.Wrap(op, err)
			}
			if figures.FailedItems, err = read.failedItems(evaluated); err != nil {
				return report, errs.Wrap(op, err)
			}
			report.Total.add(figures)
			report.Sites = append(report.Sites, SiteFigures{SiteID: site.ID, SiteName: site.Name, Timezone: loc.String(),
				From: from.UTC(), To: to.UTC(), Figures: figures})
		}
		if next == "" {
			break
		}
		page.After = next
	}
	if q.SiteID != "" && len(report.Sites) == 0 {
		return report, errs.E(op, errs.NotFound, "not found")
	}
	return report, nil
}

// periodicColumns are the figures of a report, in order, for CSV and PDF.
var periodicColumns = []struct {
	group [2]string
	zh    string
	en    string
	value func(Figures) int64
}{
	{[2]string{"检查", "Inspections"}, "已提交", "submitted", func(f Figures) int64 { return f.Inspections.Submitted }},
	{[2]string{"检查", "Inspections"}, "已签核", "signed off", func(f Figures) int64 { return f.Inspections.Approved }},
	{[2]string{"检查", "Inspections"}, "退回", "returned", func(f Figures) int64 { return f.Inspections.Returned }},
	{[2]string{"检查", "Inspections"}, "不合格", "failed", func(f Figures) int64 { return f.Inspections.Failed }},
	{[2]string{"检查", "Inspections"}, "迟交", "late", func(f Figures) int64 { return f.Inspections.Late }},
	{[2]string{"巡查", "Rounds"}, "应巡", "scheduled", func(f Figures) int64 { return f.Rounds.Scheduled }},
	{[2]string{"巡查", "Rounds"}, "完成", "completed", func(f Figures) int64 { return f.Rounds.Completed }},
	{[2]string{"巡查", "Rounds"}, "部分完成", "partial", func(f Figures) int64 { return f.Rounds.Partial }},
	{[2]string{"巡查", "Rounds"}, "漏巡", "missed", func(f Figures) int64 { return f.Rounds.Missed }},
	{[2]string{"巡查", "Rounds"}, "未判定", "not judged", func(f Figures) int64 { return f.Rounds.Open }},
	{[2]string{"隐患", "Findings"}, "新发现", "opened", func(f Figures) int64 { return f.Findings.Opened }},
	{[2]string{"隐患", "Findings"}, "已关闭", "closed", func(f Figures) int64 { return f.Findings.Closed }},
	{[2]string{"隐患", "Findings"}, "逾期", "overdue", func(f Figures) int64 { return f.Findings.Overdue }},
	{[2]string{"事件与演练", "Incidents and drills"}, "一般", "general", func(f Figures) int64 { return f.Incidents["general"] }},
	{[2]string{"事件与演练", "Incidents and drills"}, "较大", "serious", func(f Figures) int64 { return f.Incidents["serious"] }},
	{[2]string{"事件与演练", "Incidents and drills"}, "重大", "major", func(f Figures) int64 { return f.Incidents["major"] }},
	{[2]string{"事件与演练", "Incidents and drills"}, "特别重大", "critical", func(f Figures) int64 { return f.Incidents["critical"] }},
	{[2]string{"事件与演练", "Incidents and drills"}, "演练", "drills", func(f Figures) int64 { return f.Drills }},
}

// PeriodicCSV writes a report as CSV: one line per site and a total,
// with a byte-order mark and a bilingual header as the registers have.
func PeriodicCSV(w io.Writer, r PeriodicReport) error {
	out := csv.NewWriter(w)
	io.WriteString(w, "\uFEFF")
	header := []string{"站点 Site", "时区 Time zone", "期间 Period", "开始 From", "结束 To"}
	for _, c := range periodicColumns {
		header = append(header, c.group[0]+c.zh+" "+c.group[1]+" "+c.en)
	}
	out.Write(header)
	line := func(name, zone, from, to string, f Figures) []string {
		row := []string{safeCell(name), zone, r.Label, from, to}
		for _, c := range periodicColumns {
			row = append(row, strconv.FormatInt(c.value(f), 10))
		}
		return row
	}
	for _, site := range r.Sites {
		loc, _ := time.LoadLocation(site.Timezone)
		out.Write(line(site.SiteName, site.Timezone, site.From.In(loc).Format(time.DateOnly), site.To.In(loc).AddDate(0, 0, -1).Format(time.DateOnly), site.Figures))
	}
	out.Write(line("合计 Total", "", "", "", r.Total))
	// Which items failed how often: a second table after an empty line,
	// each site's items, then the total across the sites.
	out.Write(nil)
	out.Write([]string{"不合格检查项 Failed items · 站点 Site", "检查表 Checklist", "检查项 Item", "项目路径 Item path", "不合格次数 Times failed"})
	for _, site := range r.Sites {
		for _, item := range site.FailedItems {
			out.Write([]string{safeCell(site.SiteName), safeCell(item.Checklist), safeCell(item.Item), safeCell(item.ItemPath),
				strconv.FormatInt(item.Failed, 10)})
		}
	}
	for _, item := range r.Total.FailedItems {
		out.Write([]string{"合计 Total", safeCell(item.Checklist), safeCell(item.Item), safeCell(item.ItemPath), strconv.FormatInt(item.Failed, 10)})
	}
	out.Flush()
	return out.Error()
}

// PeriodicPDF prints a report in lang: one table per group of figures,
// a line per site and the total.
func (s *Service) PeriodicPDF(ctx context.Context, w io.Writer, r PeriodicReport, lang string) error {
	const op = "records.PeriodicPDF"
	if lang != LangBoth && lang != LangChinese && lang != LangEnglish {
		return errs.Fields(op, map[string]string{"/lang": "must be zh-CN or en"})
	}
	org, err := s.db.Read(ctx).CallerOrg()
	if err != nil {
		return errs.Wrap(op, err)
	}
	titles := map[string][2]string{PeriodWeek: {"安全工作周报", "Weekly security report"},
		PeriodMonth: {"安全工作月报", "Monthly security report"}, PeriodYear: {"安全工作年报", "Yearly security report"}}
	doc := tableDoc{lang: lang, title: titles[r.Period], org: org.Name}
	title := doc.t(titles[r.Period][0], titles[r.Period][1])
	doc.title = [2]string{title + " · " + r.Label, title + " · " + r.Label}
	loc := time.UTC
	if len(r.Sites) == 1 {
		loc, _ = time.LoadLocation(r.Sites[0].Timezone)
	}
	doc.covers = []string{doc.t(fmt.Sprintf("站点：%d 个", len(r.Sites)), fmt.Sprintf("Sites: %d", len(r.Sites))) + periodSpan(doc, r),
		doc.printedAt(r.GeneratedAt, loc)}
	var group [2]string
	var section *tableSection
	for _, c := range periodicColumns {
		if c.group != group {
			group = c.group
			doc.sections = append(doc.sections, tableSection{heading: group, columns: []tableColumn{{"站点", "Site", 52}}})
			section = &doc.sections[len(doc.sections)-1]
		}
		section.columns = append(section.columns, tableColumn{c.zh, c.en, 0})
	}
	for i := range doc.sections {
		section := &doc.sections[i]
		width := (pdfdoc.ContentWidth - 52) / float64(len(section.columns)-1)
		for j := 1; j < len(section.columns); j++ {
			section.columns[j].width = width
		}
		first := 0
		for k, c := range periodicColumns {
			if c.group == section.heading {
				first = k
				break
			}
		}
		row := func(name, sub string, f Figures) []tableCell {
			cells := []tableCell{{text: name, sub: sub}}
			for j := 1; j < len(section.columns); j++ {
				c := periodicColumns[first+j-1]
				n := c.value(f)
				cells = append(cells, tableCell{text: strconv.FormatInt(n, 10), alert: n > 0 && alarming[c.en]})
			}
			return cells
		}
		for _, site := range r.Sites {
			zone, _ := time.LoadLocation(site.Timezone)
			section.rows = append(section.rows, row(site.SiteName, site.Timezone+" · "+site.From.In(zone).Format("01-02")+
				" – "+site.To.In(zone).AddDate(0, 0, -1).Format("01-02"), site.Figures))
		}
		section.rows = append(section.rows, row(doc.t("合计", "Total"), "", r.Total))
	}
	doc.sections = append(doc.sections, failedItemsSection(doc, r))
	var out bytes.Buffer
	if err := doc.write(&out, nil); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	_, err = w.Write(out.Bytes())
	return err
}

// maxFailedPrinted bounds the failed items printed per site and in the
// total: the ones failed most often; the JSON and CSV carry them all.
const maxFailedPrinted = 15

// failedItemsSection prints which checklist items failed how often, per
// site and across the sites.
func failedItemsSection(doc tableDoc, r PeriodicReport) tableSection {
	section := tableSection{heading: [2]string{"不合格检查项", "Failed items"},
		columns: []tableColumn{{"站点", "Site", 40}, {"检查表", "Checklist", 46}, {"检查项", "Item", 74}, {"次数", "Times", 20}},
		empty:   [2]string{"期间内没有不合格的检查项。", "No item failed in the period."}}
	add := func(site string, items []FailedItem) {
		for i, item := range items {
			if i == maxFailedPrinted {
				section.rows = append(section.rows, []tableCell{{text: site}, {text: ""},
					{text: doc.t(fmt.Sprintf("另有 %d 项，见 CSV", len(items)-i), fmt.Sprintf("%d more: see the CSV", len(items)-i))}, {text: ""}})
				return
			}
			section.rows = append(section.rows, []tableCell{{text: site}, {text: item.Checklist}, {text: item.Item, sub: item.ItemPath},
				{text: strconv.FormatInt(item.Failed, 10), alert: true}})
		}
	}
	for _, site := range r.Sites {
		add(site.SiteName, site.FailedItems)
	}
	if len(r.Sites) > 1 {
		add(doc.t("合计", "Total"), r.Total.FailedItems)
	}
	return section
}

// alarming figures print in red when not zero.
var alarming = map[string]bool{"failed": true, "late": true, "missed": true, "overdue": true, "major": true, "critical": true}

func periodSpan(doc tableDoc, r PeriodicReport) string {
	if len(r.Sites) == 0 {
		return ""
	}
	site := r.Sites[0]
	zone, _ := time.LoadLocation(site.Timezone)
	return " · " + doc.t("期间", "Period") + " " + site.From.In(zone).Format(time.DateOnly) + " – " +
		site.To.In(zone).AddDate(0, 0, -1).Format(time.DateOnly) + doc.t("（各站点当地时间）", " (each site's local time)")
}

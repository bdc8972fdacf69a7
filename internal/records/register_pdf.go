package records

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// maxPrinted bounds one printed register: a few hundred pages. The
// document says so when the range holds more; the CSV carries more.
const maxPrinted = 5000

// registerTitles name the registers in print.
var registerTitles = map[string][2]string{
	InspectionRegister: {"检查记录登记簿", "Inspection register"},
	HazardRegister:     {"隐患整改台账", "Hazard rectification register"},
	HandoverRegister:   {"交接登记簿", "Handover register"},
	OutsiderRegister:   {"外来人员登记簿", "Outsider register"},
}

// ExportPDF prints a register (up to maxPrinted rows) in lang for filing:
// sites, checklists and people by name, times in each site's zone, the
// filter it covers on the first page.
func (s *Service) ExportPDF(ctx context.Context, w io.Writer, register string, f RegisterFilter, lang string) error {
	const op = "records.ExportPDF"
	if lang != LangBoth && lang != LangChinese && lang != LangEnglish {
		return errs.Fields(op, map[string]string{"/lang": "must be zh-CN or en"})
	}
	doc, err := s.registerDoc(ctx, register, f, lang, time.Now())
	if err != nil {
		return errs.Wrap(op, err)
	}
	var out bytes.Buffer
	if err := doc.write(&out, nil); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	_, err = w.Write(out.Bytes())
	return err
}

func (s *Service) registerDoc(ctx context.Context, register string, f RegisterFilter, lang string, now time.Time) (tableDoc, error) {
	names, err := s.namesFor(ctx)
	if err != nil {
		return tableDoc{}, err
	}
	org, err := names.tx.CallerOrg()
	if err != nil {
		return tableDoc{}, err
	}
	doc := tableDoc{lang: lang, title: registerTitles[register], org: org.Name}
	doc.covers = names.covers(doc, f, now)
	var section tableSection
	switch register {
	case HazardRegister:
		section, err = s.hazardSection(ctx, doc, names, f)
	case OutsiderRegister:
		section, err = s.outsiderSection(ctx, doc, names, f)
	default:
		section, err = s.inspectionSection(ctx, doc, names, register, f)
	}
	doc.sections = []tableSection{section}
	if register == HandoverRegister && err == nil {
		// The handover checklists, then the guards' shift handovers.
		doc.sections[0].heading = [2]string{"交接检查表", "Handover checklists"}
		section, err = s.shiftHandoverSection(ctx, doc, names, f)
		doc.sections = append(doc.sections, section)
	}
	return doc, err
}

// covers says which sites and days a printed list covers, and when it was
// printed, in the chosen site's zone (UTC across sites).
func (n *names) covers(doc tableDoc, f RegisterFilter, now time.Time) []string {
	loc := time.UTC
	where := doc.t("全部站点", "All sites")
	if f.SiteID != "" {
		where = n.site(f.SiteID)
		loc = n.zone(f.SiteID)
	}
	day := func(t *time.Time, fallback string) string {
		if t == nil {
			return fallback
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	span := day(f.From, doc.t("最早", "the first record")) + " – " + day(f.To, doc.t("现在", "now"))
	return []string{doc.t("站点", "Site") + ": " + where + " · " + loc.String(),
		doc.t("时间范围", "Period") + ": " + span, doc.printedAt(now, loc)}
}

func (s *Service) inspectionSection(ctx context.Context, doc tableDoc, n *names, register string, f RegisterFilter) (tableSection, error) {
	section := tableSection{
		columns: []tableColumn{{"站点", "Site", 30}, {"检查表", "Checklist", 44}, {"检查人", "Inspector", 26},
			{"结果", "Result", 24}, {"提交时间", "Submitted", 28}, {"签核", "Signed off", 28}},
		empty: [2]string{"该范围内没有记录。", "No records in this range."},
	}
	titles := map[string]string{}
	err := s.eachPage(ctx, func(page store.Page) (string, int, error) {
		rows, next, err := s.Inspections(ctx, f, register, page)
		if err != nil {
			return "", 0, err
		}
		if err := n.learnInspectionPeople(rows); err != nil {
			return "", 0, err
		}
		for _, r := range rows {
			if _, ok := titles[r.TemplateKey]; !ok {
				titles[r.TemplateKey] = n.templateTitle(doc, r.TemplateKey)
			}
			result := tableCell{text: named(doc.t, statusNames, r.Status)}
			if r.Outcome != nil {
				result.sub = named(doc.t, outcomeNames, *r.Outcome)
				result.alert = *r.Outcome == "fail"
			}
			if r.Score != nil {
				result.sub += fmt.Sprintf(" · %g", *r.Score)
			}
			section.rows = append(section.rows, []tableCell{
				{text: n.site(r.SiteID), sub: n.zone(r.SiteID).String()},
				{text: titles[r.TemplateKey], sub: fmt.Sprintf("v%d", r.TemplateVersion)},
				{text: n.user(&r.OwnerID)},
				result,
				{text: n.short(r.SiteID, r.SubmittedAt)},
				{text: orDash(n.user(r.ApprovedBy)), sub: n.short(r.SiteID, r.ApprovedAt)},
			})
		}
		return next, len(rows), nil
	})
	section.note = capNote(doc, len(section.rows))
	return section, err
}

func (s *Service) hazardSection(ctx context.Context, doc tableDoc, n *names, f RegisterFilter) (tableSection, error) {
	section := tableSection{
		columns: []tableColumn{{"站点", "Site", 26}, {"隐患", "Finding", 52}, {"等级", "Severity", 16},
			{"状态", "Status", 24}, {"整改期限", "Due", 22}, {"责任人", "Assignee", 20}, {"关闭", "Closed", 20}},
		empty: [2]string{"该范围内没有隐患。", "No findings in this range."},
	}
	err := s.eachPage(ctx, func(page store.Page) (string, int, error) {
		rows, next, err := s.Hazards(ctx, f, page)
		if err != nil {
			return "", 0, err
		}
		var people []*string
		for i := range rows {
			people = append(people, rows[i].AssigneeID)
		}
		if err := n.learn(people...); err != nil {
			return "", 0, err
		}
		if err := n.learnItems(rows); err != nil {
			return "", 0, err
		}
		for _, r := range rows {
			status := tableCell{text: named(doc.t, statusNames, r.Status), alert: r.Overdue}
			if r.Overdue {
				status.sub = doc.t("已逾期", "overdue")
			}
			item := n.item(r.InspectionID, r.ItemPath)
			if item == r.Title {
				item = ""
			}
			section.rows = append(section.rows, []tableCell{
				{text: n.site(r.SiteID), sub: n.zone(r.SiteID).String()},
				{text: r.Title, sub: item},
				{text: named(doc.t, severityNames, r.Severity), alert: r.Severity == "critical"},
				status,
				{text: n.short(r.SiteID, r.DueAt)},
				{text: orDash(n.user(r.AssigneeID))},
				{text: n.short(r.SiteID, r.ClosedAt)},
			})
		}
		return next, len(rows), nil
	})
	section.note = capNote(doc, len(section.rows))
	return section, err
}

// eachPage reads a register page by page until it ends or maxPrinted rows
// are read; read returns the next cursor and how many rows it took.
func (s *Service) eachPage(ctx context.Context, read func(store.Page) (string, int, error)) error {
	page := store.Page{Limit: 500}
	for total := 0; total < maxPrinted; {
		page.Limit = min(500, maxPrinted-total)
		next, n, err := read(page)
		if err != nil {
			return err
		}
		total += n
		if next == "" {
			return nil
		}
		page.After = next
	}
	return nil
}

func capNote(doc tableDoc, rows int) string {
	if rows < maxPrinted {
		return doc.t(fmt.Sprintf("共 %d 条。", rows), fmt.Sprintf("%d records.", rows))
	}
	return doc.t(fmt.Sprintf("仅打印前 %d 条；请缩小时间范围，或导出 CSV。", rows),
		fmt.Sprintf("Only the first %d records are printed: narrow the period, or export CSV.", rows))
}

// short prints a time in a site's zone to the minute (the zone is under
// the site's name).
// learnInspectionPeople looks up, in one go, who filled and who signed off
// a page of inspection-register rows.
func (n *names) learnInspectionPeople(rows []InspectionRow) error {
	var people []*string
	for i := range rows {
		people = append(people, &rows[i].OwnerID, rows[i].ApprovedBy)
	}
	return n.learn(people...)
}

func (n *names) short(siteID string, t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(n.zone(siteID)).Format("2006-01-02 15:04")
}

// templateTitle names a checklist by its key, in the document's language.
func (n *names) templateTitle(doc tableDoc, key string) string {
	row, err := n.tx.TemplateByKey(key)
	if err != nil {
		return key
	}
	var title checklists.Text
	if json.Unmarshal([]byte(row.Title), &title) != nil || len(title) == 0 {
		return key
	}
	return doc.t(localized(title, "zh-CN"), localized(title, "en"))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

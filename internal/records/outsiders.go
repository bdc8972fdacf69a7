package records

import (
	"context"
	"encoding/json"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Visitor is one person an outsider-register inspection let in, read from
// its answers: a bank's register must say who came, from where, on what
// papers, why, and when they came and went (seed 1, 003 营业期间安全保卫
// 制度 三: 外来人员…登记营业间外来人员登记簿; 第四条 2: 持有有效证件,登记
// 入册). The visitor register (cu-outsider-register) names one person;
// the outside-inspector register (cu-outside-inspector-register) lists
// each inspector of its group, with the visit's unit, purpose and times.
type Visitor struct {
	Name         string `json:"name"`
	Unit         string `json:"unit"`
	IDNumber     string `json:"id_number"`
	WorkIDNumber string `json:"work_id_number,omitempty"`
	// Reason is the free text (the "other" reason, or the inspectors'
	// purpose); ReasonLabel names the chosen reason in both languages.
	Reason      string          `json:"reason"`
	ReasonLabel checklists.Text `json:"reason_label,omitempty"`
	// EnteredAt and LeftAt are as answered: a time of day (15:04) at the
	// site, or an RFC 3339 instant.
	EnteredAt string `json:"entered_at"`
	LeftAt    string `json:"left_at"`
}

// visitorsOf reads the people of one outsider-register inspection from its
// stored answers (already in the row the register's page read: no query
// per row). reasons labels the visitor register's reason choice.
func visitorsOf(row store.Inspection, reasons func(value string) checklists.Text) []Visitor {
	var answers map[string]checklists.Answer
	if json.Unmarshal(row.Answers, &answers) != nil {
		return nil
	}
	text := func(from map[string]checklists.Answer, key string) string {
		if s, ok := from[key].Value.(string); ok {
			return s
		}
		return ""
	}
	if group, ok := answers["inspectors"]; ok {
		out := make([]Visitor, 0, len(group.Repeats))
		for _, person := range group.Repeats {
			out = append(out, Visitor{Name: text(person, "name"), Unit: text(answers, "inspector_unit"),
				IDNumber: text(person, "id_number"), WorkIDNumber: text(person, "work_id_number"),
				Reason: text(answers, "purpose"), EnteredAt: text(answers, "arrived_at"), LeftAt: text(answers, "left_at")})
		}
		return out
	}
	if _, ok := answers["visitor_name"]; !ok {
		return nil
	}
	v := Visitor{Name: text(answers, "visitor_name"), Unit: text(answers, "visitor_unit"),
		IDNumber: text(answers, "visitor_id_number"), Reason: text(answers, "visit_reason_other"),
		EnteredAt: text(answers, "entered_at"), LeftAt: text(answers, "left_at")}
	if reason := text(answers, "visit_reason"); reason != "" {
		v.ReasonLabel = reasons(reason)
		if v.ReasonLabel == nil {
			v.Reason = reason
		}
	}
	return []Visitor{v}
}

// reasonLabels finds the label of a reason choice in the inspection's own
// checklist version, reading each version once per register page.
type reasonLabels struct {
	read      func(templateID string, number int) (*checklists.Template, error)
	templates map[versionKey]*checklists.Template
}

func (r *reasonLabels) of(row store.Inspection) func(string) checklists.Text {
	return func(value string) checklists.Text {
		key := versionKey{row.TemplateID, row.TemplateVersion}
		template, seen := r.templates[key]
		if !seen {
			template, _ = r.read(key.templateID, key.number)
			r.templates[key] = template
		}
		if template == nil {
			return nil
		}
		for _, section := range template.Sections {
			for _, item := range section.Items {
				if item.Key != "visit_reason" {
					continue
				}
				for _, option := range item.Options {
					if option.Value == value {
						return option.Label
					}
				}
			}
		}
		return nil
	}
}

// reason prints a visitor's reason in a language: the choice, then any
// free text.
func (v Visitor) reason(t func(zh, en string) string) string {
	label := ""
	if v.ReasonLabel != nil {
		label = t(localized(v.ReasonLabel, "zh-CN"), localized(v.ReasonLabel, "en"))
	}
	switch {
	case label == "":
		return v.Reason
	case v.Reason == "":
		return label
	}
	return label + " · " + v.Reason
}

// visitAt prints an answered time: an instant in the site's zone to the
// minute, a time of day as written.
func (n *names) visitAt(siteID, answered string) string {
	if t, err := time.Parse(time.RFC3339, answered); err == nil {
		return n.short(siteID, &t)
	}
	return answered
}

var visitorHeader = []string{"姓名 Name", "单位 Unit", "证件号码 ID number", "工作证号 Work ID number",
	"事由 Reason", "进入时间 Entered", "离开时间 Left"}

// visitorLines gives each person of the outsider register a line of their
// own (the inspection's columns, then theirs), so a spreadsheet filters
// by person; an inspection naming nobody keeps its one line.
func (n *names) visitorLines(rows []InspectionRow, lines [][]string) [][]string {
	both := func(zh, en string) string {
		if zh == en {
			return zh
		}
		return zh + " / " + en
	}
	out := make([][]string, 0, len(lines))
	for i, r := range rows {
		if len(r.Visitors) == 0 {
			out = append(out, append(lines[i], make([]string, len(visitorHeader))...))
		}
		for _, v := range r.Visitors {
			line := append(append([]string{}, lines[i]...), safeCell(v.Name), safeCell(v.Unit), safeCell(v.IDNumber),
				safeCell(v.WorkIDNumber), safeCell(v.reason(both)), safeCell(n.visitAt(r.SiteID, v.EnteredAt)),
				safeCell(n.visitAt(r.SiteID, v.LeftAt)))
			out = append(out, line)
		}
	}
	return out
}

// outsiderSection prints the outsider register a line per person: who,
// from where, on what papers, why, in and out, and who recorded it.
func (s *Service) outsiderSection(ctx context.Context, doc tableDoc, n *names, f RegisterFilter) (tableSection, error) {
	section := tableSection{
		columns: []tableColumn{{"站点", "Site", 30}, {"来访人", "Visitor", 30}, {"证件号码", "ID number", 34},
			{"事由", "Reason", 24}, {"进入 / 离开", "In / out", 30}, {"登记人", "Recorded by", 32}},
		empty: [2]string{"该范围内没有记录。", "No records in this range."},
	}
	records := 0 // registrations; a registration of several inspectors prints several lines
	err := s.eachPage(ctx, func(page store.Page) (string, int, error) {
		rows, next, err := s.Inspections(ctx, f, OutsiderRegister, page)
		records += len(rows)
		if err != nil {
			return "", 0, err
		}
		if err := n.learnInspectionPeople(rows); err != nil {
			return "", 0, err
		}
		for _, r := range rows {
			recorded := tableCell{text: n.user(&r.OwnerID), sub: named(doc.t, statusNames, r.Status)}
			if r.ApprovedBy != nil {
				recorded.sub = doc.t("签核", "Signed off") + " " + n.user(r.ApprovedBy)
			}
			site := tableCell{text: n.site(r.SiteID), sub: n.zone(r.SiteID).String()}
			if len(r.Visitors) == 0 {
				section.rows = append(section.rows, []tableCell{site, {text: "—"}, {}, {}, {}, recorded})
			}
			for _, v := range r.Visitors {
				id := tableCell{text: orDash(v.IDNumber)}
				if v.WorkIDNumber != "" {
					id.sub = doc.t("工作证", "Work ID") + " " + v.WorkIDNumber
				}
				times := tableCell{text: orDash(n.visitAt(r.SiteID, v.EnteredAt)), sub: "→ " + orDash(n.visitAt(r.SiteID, v.LeftAt))}
				section.rows = append(section.rows, []tableCell{site, {text: orDash(v.Name), sub: v.Unit}, id,
					{text: orDash(v.reason(doc.t))}, times, recorded})
			}
		}
		return next, len(rows), nil
	})
	section.note = capNote(doc, records)
	return section, err
}

package incident

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/incident/policy"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/store"
)

// QuestionsKey is the standard template whose sections are the
// categories' questions (checklists/library/incident-report.json).
const QuestionsKey = "incident-report"

// Report is what a guard reports: incident.report's payload with the
// answers read as the engine's (ReportOf).
type Report struct {
	SiteID      string                       `json:"site_id"`
	Type        string                       `json:"type"` // a short title: "suspicious person"
	Category    string                       `json:"category"`
	Level       string                       `json:"level"`
	Place       string                       `json:"place"`
	OccurredAt  string                       `json:"occurred_at"`
	Description string                       `json:"description"`
	Media       []string                     `json:"media"` // scene photos
	Answers     map[string]checklists.Answer `json:"answers"`
	Witnesses   []Witness                    `json:"witnesses"`
	CCTV        []CCTVReference              `json:"cctv"`
	// Raised marks a report the server makes for an inspection item
	// that raises an incident (checklists.IncidentRule): the guard
	// answered the checklist, not the category's questions, which the
	// handlers answer in their progress reports. Never from the wire.
	Raised bool `json:"-"`
}

// Witness is someone who saw it; a signed statement is evidence (002
// L1463–1465 书面证言). Declared once, with incident.report's payload.
type Witness = mutation.IncidentWitness

// CCTVReference points at the recording to keep: which camera, from when
// to when (002 L649 keep the logs either side; 003 监控录像). Declared
// once, with incident.report's payload.
type CCTVReference = mutation.IncidentCCTV

// ReportOf builds the domain's report from incident.report's payload (the
// wire type of internal/mutation), reading each answer strictly as the
// engine's answer; an answer that is not one is a problem at its pointer
// under base ("/payload").
func ReportOf(wire mutation.ReportIncident, base string) (Report, []Problem) {
	r := Report{SiteID: wire.SiteID, Type: wire.Type, Category: wire.Category, Level: wire.Level, Place: wire.Place,
		OccurredAt: wire.OccurredAt, Description: wire.Description, Media: wire.Media, Witnesses: wire.Witnesses,
		CCTV: wire.CCTV}
	var problems []Problem
	for _, key := range slices.Sorted(maps.Keys(wire.Answers)) {
		var answer checklists.Answer
		dec := json.NewDecoder(bytes.NewReader(wire.Answers[key]))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(&answer); err != nil {
			problems = append(problems, Problem{base + "/answers/" + key,
				`must be an answer object {"value", "note", "media"}`})
			continue
		}
		if r.Answers == nil {
			r.Answers = map[string]checklists.Answer{}
		}
		r.Answers[key] = answer
	}
	return r, problems
}

// Problem is one field the input gets wrong, as a JSON pointer.
type Problem struct {
	Pointer string
	Detail  string
}

var questions = sync.OnceValues(func() (*checklists.Template, error) {
	library, err := checklists.Library()
	if err != nil {
		return nil, err
	}
	for _, t := range library {
		if t.Key == QuestionsKey {
			return t, nil
		}
	}
	return nil, fmt.Errorf("the library has no %s template", QuestionsKey)
})

// Questions is the template of the categories' questions.
func Questions() (*checklists.Template, error) { return questions() }

// Check finds everything wrong with a report that needs no database (the
// site, the media and the id are the caller's to check), every problem at
// once, with pointers under prefix ("/payload"). A report without a
// category comes from a client older than categories: it is "other" and
// its questions are not asked, so that such phones' queued reports are
// never rejected; a report naming its category answers its questions.
func (r *Report) Check(prefix string) ([]Problem, error) {
	var out []Problem
	add := func(pointer, detail string) { out = append(out, Problem{prefix + pointer, detail}) }
	legacy := r.Category == ""
	if legacy {
		r.Category = "other"
	}
	if !policy.IsCategory(r.Category) {
		add("/category", "must be one of "+strings.Join(policy.Categories, ", "))
	}
	if r.Type == "" || len([]rune(r.Type)) > 100 {
		add("/type", "required, at most 100 characters")
	}
	if policy.Rank(r.Level) < 0 {
		add("/level", "must be general (一般), serious (较大), major (重大) or critical (特别重大)")
	}
	if len([]rune(r.Place)) > 300 {
		add("/place", "at most 300 characters")
	}
	if len([]rune(r.Description)) > 5000 {
		add("/description", "at most 5000 characters")
	}
	if input.ParseTime(r.OccurredAt) == nil {
		add("/occurred_at", "required: when it happened, RFC 3339")
	}
	if len(r.Witnesses) > 50 {
		add("/witnesses", "at most 50 witnesses")
	}
	for i, w := range r.Witnesses {
		at := "/witnesses/" + strconv.Itoa(i)
		if strings.TrimSpace(w.Name) == "" || len([]rune(w.Name)) > 100 {
			add(at+"/name", "required, at most 100 characters")
		}
		if len([]rune(w.Phone)) > 40 {
			add(at+"/phone", "at most 40 characters")
		}
		if len([]rune(w.Statement)) > 5000 {
			add(at+"/statement", "at most 5000 characters")
		}
	}
	if len(r.CCTV) > 50 {
		add("/cctv", "at most 50 recordings")
	}
	for i, c := range r.CCTV {
		at := "/cctv/" + strconv.Itoa(i)
		if strings.TrimSpace(c.Camera) == "" || len([]rune(c.Camera)) > 100 {
			add(at+"/camera", "required, at most 100 characters")
		}
		from, to := input.ParseTime(c.From), input.ParseTime(c.To)
		if from == nil {
			add(at+"/from", "required: start of the recording to keep, RFC 3339")
		}
		if to == nil || (from != nil && to.Before(*from)) {
			add(at+"/to", "required: end of the recording to keep, RFC 3339, not before from")
		}
		if len([]rune(c.Note)) > 500 {
			add(at+"/note", "at most 500 characters")
		}
	}
	if !policy.IsCategory(r.Category) || (legacy && len(r.Answers) == 0) || r.Raised {
		return out, nil // the questions depend on it
	}
	result, err := r.evaluate()
	if err != nil {
		return nil, err
	}
	for _, path := range result.Missing {
		add("/answers"+path, "required for a "+r.Category+" incident")
	}
	for _, e := range result.Errors {
		add("/answers"+e.Path, e.Message)
	}
	return out, nil
}

func (r *Report) evaluate() (checklists.Result, error) {
	template, err := questions()
	if err != nil {
		return checklists.Result{}, err
	}
	answers := r.Answers
	if answers == nil {
		answers = map[string]checklists.Answer{}
	}
	return checklists.Evaluate(template, checklists.Input{Answers: answers,
		Context: map[string]any{"incident_category": r.Category}}), nil
}

// Casualties reports whether the answers tell of a death or a serious
// injury, which shortens the report deadline and skips levels.
func (r *Report) Casualties() bool {
	for _, key := range []string{"deaths", "serious_injuries"} {
		switch n := r.Answers[key].Value.(type) {
		case float64:
			if n > 0 {
				return true
			}
		case json.Number: // sync decodes numbers exactly
			if f, err := n.Float64(); err == nil && f > 0 {
				return true
			}
		case int:
			if n > 0 {
				return true
			}
		}
	}
	return false
}

// New builds a checked report into the incident it records: reported by
// reporterID, received now, with its deadlines from the organisation's
// policy. A report that reaches the server later than its report deadline
// after the incident happened is marked reported_late; one whose level
// demands it starts at the top of the chain (policy.SkipsLevels).
func New(id, reporterID string, r Report, p policy.Policy, now time.Time) store.Incident {
	occurred := *input.ParseTime(r.OccurredAt)
	casualties := r.Casualties()
	due := p.DueFor(r.Level, casualties, now)
	media, _ := json.Marshal(nonNil(r.Media))
	answers, _ := json.Marshal(r.Answers)
	if r.Answers == nil {
		answers = []byte("{}")
	}
	witnesses, _ := json.Marshal(nonNil(r.Witnesses))
	cctv, _ := json.Marshal(nonNil(r.CCTV))
	row := store.Incident{ID: id, SiteID: r.SiteID, ReporterID: reporterID, Type: r.Type, Category: r.Category,
		Level: r.Level, Place: r.Place, Description: r.Description, Media: media, Answers: answers,
		Witnesses: witnesses, CCTV: cctv, Casualties: casualties, OccurredAt: occurred, ReceivedAt: now,
		AckDueAt: due.Acknowledge, ReportDueAt: &due.Report, HandleDueAt: &due.Handle,
		ReportedLate: now.Sub(occurred) > due.Report.Sub(now), Status: Reported, Version: 1}
	if policy.SkipsLevels(r.Level, casualties) {
		row.EscalationStep = LastStep
	}
	return row
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

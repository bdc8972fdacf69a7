package syncer

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/incident"
)

// raiseIncidents reports the incidents a submitted inspection's failed
// items raise (checklists.IncidentRule: a suspicious person seen on the
// night round, 004 §1.2, 003 保卫工作 "发现可疑人员、可疑车辆立即上报"),
// through openIncident like incident.report. Each incident's id derives
// from the inspection and the item path, so a submission replayed, or
// returned and submitted again, raises it once.
func (b *batch) raiseIncidents(st *inspectionState, raised []checklists.RaisedIncident, m Mutation) error {
	if len(raised) == 0 {
		return nil
	}
	ids := make([]string, len(raised))
	for i, r := range raised {
		ids[i] = uuid.NewSHA1(uuid.Must(uuid.Parse(st.row.ID)), []byte("incident:"+r.Path)).String()
	}
	existing, taken, err := b.tx.IncidentsByID(ids)
	if err != nil {
		return err
	}
	for _, id := range taken {
		// Another organisation holds the derived id: a fresh one rather
		// than a push that fails for ever.
		ids[slices.Index(ids, id)] = uuid.Must(uuid.NewV7()).String()
	}
	occurred := b.tx.Now
	if st.row.SubmittedAt != nil && !st.row.SubmittedAt.After(b.tx.Now) {
		occurred = *st.row.SubmittedAt
	}
	org, err := b.tx.CallerOrg()
	if err != nil {
		return err
	}
	for i, r := range raised {
		if _, ok := existing[ids[i]]; ok {
			continue
		}
		if _, ok := b.incidents[ids[i]]; ok {
			continue
		}
		report := b.raisedReport(st, r, occurred, org.Language)
		if problems, err := report.Check(""); err != nil || len(problems) > 0 {
			return errs.E("syncer.raiseIncidents", errs.Internal, err, "the template's incident rule at "+r.Path+" makes no valid report")
		}
		if err := b.openIncident(ids[i], st.row.OwnerID, report, m); err != nil {
			return err
		}
		audit.Append(b.tx, "incident.raised", "incident", ids[i], map[string]any{"inspection_id": st.row.ID,
			"item_path": r.Path, "category": r.Category, "level": r.Level})
	}
	return nil
}

// raisedReport is the report an item raises: the rule's title, category
// and level (the handler grades it again), a description composed from the
// answers the rule names (who, where, what) and the item's note in the
// organisation's language (checklists.DescribeIncident), and the answer's
// photos.
func (b *batch) raisedReport(st *inspectionState, r checklists.RaisedIncident, occurred time.Time, language string) incident.Report {
	var answer checklists.Answer
	if target, problem := resolve(st.pinned.template, r.Path); problem == nil {
		answer = target.get(st.answers)
	}
	name := title(r.Title, r.ItemKey)
	description := checklists.DescribeIncident(st.pinned.template, st.answers, r, language)
	if description == "" {
		description = r.Title.In(language)
	}
	if description == "" {
		description = name
	}
	description = string([]rune(description)[:min(5000, len([]rune(description)))]) // incident.Check's bound
	return incident.Report{SiteID: st.row.SiteID, Type: string([]rune(name)[:min(100, len([]rune(name)))]),
		Category: r.Category, Level: r.Level, OccurredAt: occurred.UTC().Format(time.RFC3339Nano),
		Description: description, Media: answer.Media, Raised: true}
}

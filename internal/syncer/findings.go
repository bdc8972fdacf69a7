package syncer

import (
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/finding"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// findingState is one finding in a batch's working set.
type findingState struct {
	row       store.Finding
	loaded    int64
	isNew     bool
	dirty     bool
	prevOwner string               // owner when loaded: a new owner means a scope change
	events    []store.FindingEvent // history written at flush, after the row
}

func (b *batch) createFinding(m Mutation) (Result, error) {
	var in mutation.CreateFinding
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	var problems []FieldError
	if err := b.requireSite(in.SiteID, &problems); err != nil {
		return Result{}, err
	}
	problems = append(problems, checkFindingText(in.Title, in.Description, in.Severity)...)
	if in.DueAt != "" && input.ParseTime(in.DueAt) == nil {
		problems = append(problems, FieldError{"/payload/due_at", "must be an RFC 3339 time"})
	}
	if in.AssigneeID != nil && b.p.Role == principal.Guard && *in.AssigneeID != b.p.UserID {
		problems = append(problems, FieldError{"/payload/assignee_id", "only supervisors assign findings to others"})
	}
	if mediaProblems := checkMedia(in.Media); len(mediaProblems) > 0 {
		problems = append(problems, mediaProblems...)
	} else {
		b.requireMedia(in.Media, &problems)
	}
	if in.AssigneeID != nil && len(problems) == 0 {
		if err := b.checkAssignee(*in.AssigneeID, in.SiteID, &problems); err != nil {
			return Result{}, err
		}
	}
	if in.InspectionID != nil {
		st, ok := b.inspections[*in.InspectionID]
		if !ok {
			rows, _, err := b.tx.InspectionsByID([]string{*in.InspectionID})
			if err != nil {
				return Result{}, err
			}
			if row, found := rows[*in.InspectionID]; found {
				st = &inspectionState{row: row, loaded: row.Version}
				b.inspections[row.ID], ok = st, true
			}
		}
		if !ok || st.row.SiteID != in.SiteID {
			problems = append(problems, FieldError{"/payload/inspection_id", "must be an inspection at the same site"})
		}
	}
	if b.isTaken("finding", m.EntityID) {
		problems = append(problems, takenID)
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	if st, ok := b.findings[m.EntityID]; ok {
		if st.row.CreatedBy == b.p.UserID && st.row.Title == in.Title && st.row.SiteID == in.SiteID {
			return Result{Status: Duplicate, EntityID: m.EntityID, Version: st.row.Version}, nil
		}
		return conflict(m, st.row.Version, finding.ViewOf(st.row))
	}
	media, _ := json.Marshal(nonNil(in.Media))
	row := store.Finding{ID: m.EntityID, SiteID: in.SiteID, InspectionID: in.InspectionID, ItemPath: in.ItemPath,
		Title: in.Title, Description: in.Description, Severity: in.Severity, Status: finding.Open,
		AssigneeID: in.AssigneeID, CreatedBy: b.p.UserID, DueAt: input.ParseTime(in.DueAt), Media: media, Version: 1}
	if in.AssigneeID != nil { // as over REST: assigned from the start, by the author
		row.Status, row.AssignedBy = finding.Assigned, &b.p.UserID
	}
	b.findings[m.EntityID] = &findingState{row: row, isNew: true, dirty: true}
	b.linkMedia("finding", row.ID, in.Media)
	b.touch(m.EntityID)
	audit.Append(b.tx, "finding.created", "finding", m.EntityID, map[string]any{"site_id": in.SiteID, "title": in.Title,
		"severity": in.Severity, "inspection_id": in.InspectionID, "source": "sync"})
	return Result{Status: Applied, EntityID: m.EntityID, Version: 1}, nil
}

// updateFinding merges the device's changes field by field against the
// version it edited (base_version): a field the server changed meanwhile
// to something else is a conflict; every other field merges.
func (b *batch) updateFinding(m Mutation) (Result, error) {
	if m.BaseVersion == nil {
		return rejected(m, FieldError{"/base_version", "required: the version this change was made from"}), nil
	}
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(m.Payload, &patch); err != nil || len(patch) == 0 {
		return rejected(m, FieldError{"/payload", "must name at least one field to change"}), nil
	}
	st, ok := b.findings[m.EntityID]
	if !ok || !finding.CanSee(b.p, st.row) {
		return rejected(m, FieldError{"/entity_id", "no such finding"}), nil
	}
	baseRaw, err := b.tx.FindingVersionFields(st.row.ID, *m.BaseVersion)
	if errs.Is(err, errs.NotFound) || *m.BaseVersion > st.row.Version {
		return rejected(m, FieldError{"/base_version", "no such version of this finding"}), nil
	} else if err != nil {
		return Result{}, err
	}
	var base, current, mine map[string]json.RawMessage
	json.Unmarshal(baseRaw, &base)
	currentRaw, _ := json.Marshal(finding.FieldsOf(st.row))
	json.Unmarshal(currentRaw, &current)
	mine = map[string]json.RawMessage{}
	var problems []FieldError
	for field, value := range patch {
		if _, mergeable := current[field]; !mergeable {
			problems = append(problems, FieldError{"/payload/" + field, "cannot be changed by sync"})
			continue
		}
		mine[field] = value
	}
	if _, ok := mine["assignee_id"]; ok && b.p.Role == principal.Guard {
		problems = append(problems, FieldError{"/payload/assignee_id", "only supervisors assign findings"})
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	for field, value := range mine {
		changedOnServer := !jsonEqual(base[field], current[field])
		if changedOnServer && !jsonEqual(value, current[field]) {
			return conflict(m, st.row.Version, finding.ViewOf(st.row))
		}
		current[field] = value
	}
	merged, _ := json.Marshal(current)
	var fields finding.Fields
	dec := json.NewDecoder(bytesReader(merged))
	if err := dec.Decode(&fields); err != nil {
		return rejected(m, FieldError{"/payload", "has a field of the wrong type: " + err.Error()}), nil
	}
	if problems := checkFindingText(fields.Title, fields.Description, fields.Severity); len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	reassigned := fields.AssigneeID != nil && (st.row.AssigneeID == nil || *st.row.AssigneeID != *fields.AssigneeID)
	if reassigned {
		var problems []FieldError
		if err := b.checkAssignee(*fields.AssigneeID, st.row.SiteID, &problems); err != nil {
			return Result{}, err
		}
		if len(problems) > 0 {
			return rejected(m, problems...), nil
		}
	}
	// Clearing the assignee is the REST unassign action: only from
	// assigned, back to open, in the history (finding.Unassign).
	unassigned := fields.AssigneeID == nil && st.row.AssigneeID != nil
	if unassigned {
		if ok, why := finding.CanUnassign(st.row.Status); !ok {
			return rejected(m, FieldError{"/payload/assignee_id", why}), nil
		}
	}
	if jsonEqual(merged, currentRaw) {
		return Result{Status: Applied, EntityID: m.EntityID, Version: st.row.Version}, nil
	}
	if !st.dirty {
		st.prevOwner = finding.Owner(st.row)
	}
	st.row.Title, st.row.Description, st.row.Severity = fields.Title, fields.Description, fields.Severity
	st.row.DueAt, st.row.AssigneeID = fields.DueAt, fields.AssigneeID
	if reassigned { // as the REST assign action: by whom, open → assigned, in the history
		from := st.row.Status
		if from == finding.Open {
			st.row.Status = finding.Assigned
		}
		st.row.AssignedBy = &b.p.UserID
		detail, _ := json.Marshal(map[string]any{"assignee_id": *fields.AssigneeID, "source": "sync"})
		st.events = append(st.events, store.FindingEvent{ID: uuid.Must(uuid.NewV7()).String(), FindingID: st.row.ID,
			Kind: "assigned", ActorID: &b.p.UserID, FromStatus: from, ToStatus: st.row.Status, Detail: detail})
	}
	if unassigned {
		from := st.row.Status
		finding.Unassign(&st.row)
		detail, _ := json.Marshal(map[string]any{"note": "", "source": "sync"})
		st.events = append(st.events, store.FindingEvent{ID: uuid.Must(uuid.NewV7()).String(), FindingID: st.row.ID,
			Kind: "unassigned", ActorID: &b.p.UserID, FromStatus: from, ToStatus: st.row.Status, Detail: detail})
		audit.Append(b.tx, "finding.unassigned", "finding", m.EntityID, map[string]any{"from": from, "to": st.row.Status,
			"version": st.row.Version + 1, "note": "", "source": "sync"})
	}
	st.row.Version++
	st.dirty = true
	b.touch(m.EntityID)
	audit.Append(b.tx, "finding.updated", "finding", m.EntityID, map[string]any{"fields": mine, "version": st.row.Version})
	return Result{Status: Applied, EntityID: m.EntityID, Version: st.row.Version}, nil
}

// raiseFindings opens a finding for each failed item that asks for one.
// Ids derive from the inspection and item, so a resubmission after a
// return does not raise the same hazard twice.
func (b *batch) raiseFindings(st *inspectionState, raised []checklists.Finding) error {
	if len(raised) == 0 {
		return nil
	}
	ids := make([]string, len(raised))
	for i, f := range raised {
		ids[i] = uuid.NewSHA1(uuid.Must(uuid.Parse(st.row.ID)), []byte(f.Path)).String()
	}
	existing, taken, err := b.tx.FindingsByID(ids)
	if err != nil {
		return err
	}
	for _, id := range taken {
		// Another organisation created a finding under the derived id:
		// this one gets a fresh id instead of failing the push forever.
		ids[slices.Index(ids, id)] = uuid.Must(uuid.NewV7()).String()
	}
	for i, f := range raised {
		if _, ok := existing[ids[i]]; ok {
			continue
		}
		if _, ok := b.findings[ids[i]]; ok {
			continue
		}
		due, err := b.findingDue(st, f)
		if err != nil {
			return err
		}
		// The failed item's photos travel with the finding.
		var evidence []string
		if target, problem := resolve(st.pinned.template, f.Path); st.pinned != nil && problem == nil {
			evidence = target.get(st.answers).Media
		}
		media, _ := json.Marshal(nonNil(evidence))
		row := store.Finding{ID: ids[i], SiteID: st.row.SiteID, InspectionID: &st.row.ID, ItemPath: f.Path,
			Title: title(f.Title, f.ItemKey), Severity: f.Severity, Status: finding.Open, CreatedBy: st.row.OwnerID,
			DueAt: &due, Media: media, Version: 1}
		b.findings[row.ID] = &findingState{row: row, isNew: true, dirty: true}
		b.linkMedia("finding", row.ID, evidence)
		b.touch(row.ID)
		audit.Append(b.tx, "finding.raised", "finding", row.ID, map[string]any{"inspection_id": st.row.ID,
			"item_path": f.Path, "severity": f.Severity})
	}
	return nil
}

func (b *batch) flushFinding(st *findingState) error {
	fields, err := json.Marshal(finding.FieldsOf(st.row))
	if err != nil {
		return errs.E("syncer.flushFinding", errs.Internal, err)
	}
	if st.isNew {
		err = b.tx.CreateFinding(&st.row, fields)
		if err == nil {
			// Its history starts as over REST: created, by whom, with what.
			detail, _ := json.Marshal(map[string]json.RawMessage{"media": json.RawMessage(st.row.Media)})
			err = b.tx.AddFindingEvent(&store.FindingEvent{ID: uuid.Must(uuid.NewV7()).String(), FindingID: st.row.ID,
				Kind: "created", ActorID: &st.row.CreatedBy, ToStatus: st.row.Status, Detail: detail})
		}
	} else {
		err = b.tx.UpdateFinding(&st.row, st.loaded, fields)
	}
	if err != nil {
		return err
	}
	for i := range st.events {
		if err := b.tx.AddFindingEvent(&st.events[i]); err != nil {
			return err
		}
	}
	st.events = nil
	data, err := json.Marshal(finding.ViewOf(st.row))
	if err != nil {
		return errs.E("syncer.flushFinding", errs.Internal, err)
	}
	owner := finding.Owner(st.row)
	change := store.Change{EntityType: "finding", EntityID: st.row.ID, Op: "upsert", Version: st.row.Version,
		Audience: store.AudienceOwner, SiteID: &st.row.SiteID, OwnerID: &owner, Data: data, Fresh: st.isNew}
	if st.prevOwner != "" && st.prevOwner != owner {
		change.PrevAudience, change.PrevSiteID, change.PrevOwnerID = ptr(store.AudienceOwner), &st.row.SiteID, ptr(st.prevOwner)
	}
	b.tx.RecordChange(change)
	return nil
}

// checkFindingText is finding.CheckText, the rule REST follows, with its
// pointers under /payload.
func checkFindingText(title, description, severity string) []FieldError {
	fields := map[string]string{}
	finding.CheckText(fields, title, description, severity)
	return payloadProblems(fields)
}

// checkAssignee is finding.CheckAssignee, the rule REST follows.
func (b *batch) checkAssignee(userID, siteID string, problems *[]FieldError) error {
	fields := map[string]string{}
	if err := finding.CheckAssignee(b.tx, fields, userID, siteID); err != nil {
		return err
	}
	*problems = append(*problems, payloadProblems(fields)...)
	return nil
}

// payloadProblems turns a domain package's field errors (pointers into
// the record) into a mutation's (pointers into its payload), in order.
func payloadProblems(fields map[string]string) []FieldError {
	var out []FieldError
	for _, pointer := range slices.Sorted(maps.Keys(fields)) {
		out = append(out, FieldError{"/payload" + pointer, fields[pointer]})
	}
	return out
}

// title is a raised finding's title from the template's localized one:
// both languages when the template has both ("zh / en"), else the one it
// has, else fallback.
func title(text checklists.Text, fallback string) string {
	zh, en := text["zh-CN"], text["en"]
	switch {
	case zh != "" && en != "" && zh != en:
		return string([]rune(zh + " / " + en)[:min(300, len([]rune(zh+" / "+en)))])
	case zh != "":
		return zh
	case en != "":
		return en
	}
	return fallback
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// findingDue is when a raised finding is due: at the end of the agreed
// rectify-by date in the site's time zone when the template takes it from
// an answer (due_from: 004 §3.3 整改完成时间, §7.3 限期整改), else
// due_hours after it is raised.
func (b *batch) findingDue(st *inspectionState, f checklists.Finding) (time.Time, error) {
	if f.DueDate == "" {
		return b.tx.Now.Add(time.Duration(f.DueHours) * time.Hour), nil
	}
	site := b.siteRows[st.row.SiteID]
	if site == nil {
		row, err := b.tx.Site(st.row.SiteID)
		if err != nil {
			return time.Time{}, err
		}
		site = &row
		b.siteRows[st.row.SiteID] = site
	}
	zone, err := time.LoadLocation(site.Timezone)
	if err != nil {
		zone = time.UTC
	}
	day, err := time.ParseInLocation(time.DateOnly, f.DueDate, zone)
	if err != nil { // the engine checked it is a date
		return b.tx.Now.Add(time.Duration(f.DueHours) * time.Hour), nil
	}
	return day.AddDate(0, 0, 1), nil
}

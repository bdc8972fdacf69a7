package plans

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Acknowledgement is a person's confirmation that they read a version.
type Acknowledgement struct {
	ID         string     `json:"id"`
	PlanID     string     `json:"plan_id"`
	Version    int        `json:"plan_version"`
	UserID     string     `json:"user_id"`
	UserName   string     `json:"user_name"`
	ClientTime *time.Time `json:"client_time"`
	At         time.Time  `json:"acknowledged_at"`
}

// Outcome of Acknowledge.
type Outcome struct {
	Acknowledgement Acknowledgement
	// Duplicate: the person had acknowledged this version already.
	Duplicate bool
	// Problems name what is wrong with the request (pointer → rule);
	// nothing was written.
	Problems map[string]string
}

// Acknowledge records that p read version of the plan, in tx. It is the
// one write path of acknowledgements: the sync mutation plan.acknowledge
// and POST /v1/plans/{id}/acknowledge both call it. Only the current
// version can be acknowledged: a phone that acknowledges an older one is
// told to read the new one first.
func Acknowledge(tx *store.Tx, p principal.Principal, planID string, version int, clientTime *time.Time) (Outcome, error) {
	row, err := tx.Plan(planID)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !canSee(p, row):
		return Outcome{Problems: map[string]string{"/entity_id": "no such emergency plan"}}, nil
	case err != nil:
		return Outcome{}, err
	case !row.Active:
		return Outcome{Problems: map[string]string{"/entity_id": "this plan has been withdrawn"}}, nil
	case version != row.CurrentVersion:
		return Outcome{Problems: map[string]string{"/payload/version": "the current version is " +
			strconv.Itoa(row.CurrentVersion) + ": read it, then acknowledge it"}}, nil
	}
	existing, err := tx.PlanAcknowledgement(planID, version, p.UserID)
	if err == nil {
		return Outcome{Acknowledgement: ackView(existing, ""), Duplicate: true}, nil
	}
	if !errs.Is(err, errs.NotFound) {
		return Outcome{}, err
	}
	ack := store.PlanAcknowledgement{ID: uuid.Must(uuid.NewV7()).String(), PlanID: planID, PlanVersion: version,
		UserID: p.UserID, DeviceID: p.DeviceID, ClientTime: clientTime}
	if err := tx.AddPlanAcknowledgement(&ack); err != nil {
		return Outcome{}, err // a concurrent twin: the push or request runs again and finds it
	}
	audit.Append(tx, "plan.acknowledged", "emergency_plan", planID, map[string]any{"number": version, "user_id": p.UserID,
		"device_id": p.DeviceID})
	view := ackView(ack, "")
	data, err := json.Marshal(view)
	if err != nil {
		return Outcome{}, errs.E("plans.Acknowledge", errs.Internal, err)
	}
	owner := p.UserID
	tx.RecordChange(store.Change{EntityType: "plan_acknowledgement", EntityID: ack.ID, Op: "upsert", Version: 1,
		Audience: store.AudienceOwner, SiteID: row.SiteID, OwnerID: &owner, Data: data, Fresh: true})
	return Outcome{Acknowledgement: view}, nil
}

func ackView(r store.PlanAcknowledgement, name string) Acknowledgement {
	return Acknowledgement{ID: r.ID, PlanID: r.PlanID, Version: r.PlanVersion, UserID: r.UserID, UserName: name,
		ClientTime: r.ClientTime, At: r.CreatedAt.UTC()}
}

// AcknowledgeInput is the REST form of an acknowledgement.
type AcknowledgeInput struct {
	Version int `json:"version"`
}

// AcknowledgeNow is the REST path: the same rule as the sync mutation.
func (s *Service) AcknowledgeNow(ctx context.Context, planID string, in AcknowledgeInput) (Acknowledgement, error) {
	const op = "plans.Acknowledge"
	p, _ := principal.From(ctx)
	var outcome Outcome
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		outcome, err = Acknowledge(tx, p, planID, in.Version, nil)
		return err
	})
	switch {
	case err != nil:
		return Acknowledgement{}, errs.Wrap(op, err)
	case outcome.Problems["/entity_id"] != "":
		return Acknowledgement{}, errs.E(op, errs.NotFound, "not found")
	case len(outcome.Problems) > 0:
		return Acknowledgement{}, errs.Fields(op, map[string]string{"/version": outcome.Problems["/payload/version"]})
	}
	names, err := s.db.Read(ctx).UserNames([]string{p.UserID})
	outcome.Acknowledgement.UserName = names[p.UserID]
	return outcome.Acknowledgement, errs.Wrap(op, err)
}

// Readers is who has acknowledged a version and who, among the people
// the plan concerns, has not yet.
type Readers struct {
	PlanID       string            `json:"plan_id"`
	Version      int               `json:"plan_version"`
	Acknowledged []Acknowledgement `json:"acknowledged"`
	Pending      []Person          `json:"pending"`
}

// Person is a user by id and name.
type Person struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
}

// Readers lists the acknowledgements of the current version (supervisors
// of the plan's site, admins), and the active staff of the site (or, for
// an organisation-wide plan, of the organisation) still to acknowledge.
func (s *Service) Readers(ctx context.Context, planID string) (Readers, error) {
	const op = "plans.Readers"
	tx := s.db.Read(ctx)
	row, err := tx.Plan(planID)
	if err == nil && !CanSee(ctx, row) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Readers{}, errs.Wrap(op, err)
	}
	acks, err := tx.PlanAcknowledgements(planID, row.CurrentVersion)
	if err != nil {
		return Readers{}, errs.Wrap(op, err)
	}
	site := ""
	if row.SiteID != nil {
		site = *row.SiteID
	}
	var staff []string
	for _, role := range []string{principal.Guard, principal.Supervisor} {
		ids, err := tx.ActiveUserIDs(role, site)
		if err != nil {
			return Readers{}, errs.Wrap(op, err)
		}
		staff = append(staff, ids...)
	}
	ids := slices.Clone(staff)
	for _, a := range acks {
		ids = append(ids, a.UserID)
	}
	names, err := tx.UserNames(ids)
	if err != nil {
		return Readers{}, errs.Wrap(op, err)
	}
	out := Readers{PlanID: planID, Version: row.CurrentVersion, Acknowledged: []Acknowledgement{}, Pending: []Person{}}
	done := map[string]bool{}
	for _, a := range acks {
		out.Acknowledged = append(out.Acknowledged, ackView(a, names[a.UserID]))
		done[a.UserID] = true
	}
	for _, id := range staff {
		if !done[id] {
			out.Pending = append(out.Pending, Person{UserID: id, UserName: names[id]})
		}
	}
	slices.SortFunc(out.Pending, func(a, b Person) int { return compare(a.UserName+a.UserID, b.UserName+b.UserID) })
	return out, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

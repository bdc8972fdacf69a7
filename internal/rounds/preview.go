package rounds

import (
	"context"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
)

// PreviewInput is a rule to try out before saving it: the same rrule and
// dtstart a schedule takes, evaluated in the zone of the site.
type PreviewInput struct {
	SiteID  string `json:"site_id"`
	RRule   string `json:"rrule"`
	DTStart string `json:"dtstart"`
	Count   int    `json:"count"`
}

// Occurrence is one slot: the instant (UTC) and the wall-clock time at the
// site with its offset, as rounds carry it in local.
type Occurrence struct {
	At    time.Time `json:"at"`
	Local string    `json:"local"`
}

// Preview is the next slots a rule makes from now on.
type Preview struct {
	Timezone    string       `json:"timezone"`
	Occurrences []Occurrence `json:"occurrences"`
}

// Preview bounds: how many slots one call lists, and how far ahead it
// looks (ten yearly slots need ten years).
const (
	previewDefault = 10
	previewMax     = 50
	previewYears   = 12
)

// PreviewSchedule lists the next slots of a rule at a site from now, with
// the parser and expansion that materialise rounds (recurrence and
// occurrences), so that an editor's preview and the rounds the server
// makes cannot disagree. Problems come back by field, as when saving.
func (s *Service) PreviewSchedule(ctx context.Context, in PreviewInput) (Preview, error) {
	return s.previewAt(ctx, in, time.Now())
}

func (s *Service) previewAt(ctx context.Context, in PreviewInput, now time.Time) (Preview, error) {
	const op = "rounds.PreviewSchedule"
	p, _ := principal.From(ctx)
	fields := map[string]string{}
	count := in.Count
	if count == 0 {
		count = previewDefault
	}
	if count < 1 || count > previewMax {
		fields["/count"] = "must be 1 to 50"
	}
	loc := time.UTC
	if !input.IsUUID(in.SiteID) {
		fields["/site_id"] = "required: a site you work at"
	} else {
		site, err := s.db.Read(ctx).Site(in.SiteID)
		switch {
		case errs.Is(err, errs.NotFound) || (err == nil && !canSeeSite(p, site.ID)):
			fields["/site_id"] = "required: a site you work at"
		case err != nil:
			return Preview{}, errs.Wrap(op, err)
		default:
			if zone, err := time.LoadLocation(site.Timezone); err == nil {
				loc = zone
			}
		}
	}
	rule, problems := recurrence(in.RRule, in.DTStart, loc)
	for k, v := range problems {
		fields[k] = v
	}
	if len(fields) > 0 {
		return Preview{}, errs.Fields(op, fields)
	}
	out := Preview{Timezone: loc.String(), Occurrences: []Occurrence{}}
	for _, at := range occurrences(rule, now, now.AddDate(previewYears, 0, 0), count) {
		out.Occurrences = append(out.Occurrences, Occurrence{At: at, Local: at.In(loc).Format(localLayout + "Z07:00")})
	}
	return out, nil
}

// WithScans adds to each round its scans (device time order) and the
// checkpoints judged missed, as Round answers for one: two queries for a
// whole page, so a day's board needs no request per round.
func (s *Service) WithScans(ctx context.Context, list []Round) ([]RoundDetail, error) {
	const op = "rounds.WithScans"
	out := make([]RoundDetail, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]string, len(list))
	index := map[string]int{}
	for i, r := range list {
		ids[i], index[r.ID] = r.ID, i
		out[i] = RoundDetail{Round: r, Scans: []Scan{}, Exceptions: []string{}}
	}
	tx := s.db.Read(ctx)
	scans, err := tx.ScansOfRounds(ids)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	for _, scan := range scans {
		d := &out[index[scan.RoundID]]
		d.Scans = append(d.Scans, ScanView(scan))
	}
	exceptions, err := tx.ExceptionsOfRounds(ids)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	for _, e := range exceptions {
		d := &out[index[e.RoundID]]
		d.Exceptions = append(d.Exceptions, e.CheckpointID)
	}
	return out, nil
}

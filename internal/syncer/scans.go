package syncer

import (
	"encoding/json"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/rounds"
	"github.com/patrolsync/patrolsync/internal/store"
)

// ScanOutcome tells the device what its scan was judged to be, and which
// checklist to open at the checkpoint, if any.
type ScanOutcome struct {
	CheckpointID *string  `json:"checkpoint_id"`
	TemplateID   *string  `json:"template_id"`
	Flags        []string `json:"flags"`
}

// scanCheckpoint records a tag read (checkpoint.scan). Scans are
// append-only events with the client's id; a wrong, early, late or
// out-of-order scan is stored with flags, never rejected. Only a scan that
// cannot be stored (no such round, bad fields) is rejected.
func (b *batch) scanCheckpoint(m Mutation) (Result, error) {
	var in mutation.ScanCheckpoint
	if problem := decodePayload(m, &in); problem != nil {
		return rejected(m, *problem), nil
	}
	var problems []FieldError
	scannedAt := input.ParseTime(in.ScannedAt)
	if scannedAt == nil {
		problems = append(problems, FieldError{"/payload/scanned_at", "required: the device time of the scan, RFC 3339"})
	}
	if in.TagCode == "" || len(in.TagCode) > 500 {
		problems = append(problems, FieldError{"/payload/tag_code", "required: the QR text or NFC UID read, at most 500 bytes"})
	}
	if in.CheckpointID != "" && !input.IsUUID(in.CheckpointID) {
		problems = append(problems, FieldError{"/payload/checkpoint_id", "must be a checkpoint id"})
	}
	scan := rounds.ScanInput{TagCode: in.TagCode, CheckpointID: in.CheckpointID, ReceivedAt: b.tx.Now}
	if in.Location != nil {
		scan.Latitude, scan.Longitude, scan.AccuracyM = in.Location.Lat, in.Location.Lng, in.Location.AccuracyM
		scan.GPSTime = input.ParseTime(in.Location.GPSTime)
		if place := in.Location; place.Lat == nil || place.Lng == nil || *place.Lat < -90 || *place.Lat > 90 ||
			*place.Lng < -180 || *place.Lng > 180 {
			problems = append(problems, FieldError{"/payload/location", `must be {"lat", "lng", "accuracy_m"?, "gps_time"?} with lat in [-90, 90] and lng in [-180, 180]`})
		}
		if in.Location.GPSTime != "" && scan.GPSTime == nil {
			problems = append(problems, FieldError{"/payload/location/gps_time", "must be an RFC 3339 time"})
		}
	}
	round, ok, err := b.round(in.RoundID)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		problems = append(problems, FieldError{"/payload/round_id", "must be a round of yours or of your site's pool"})
	}
	if b.isTaken("scan", m.EntityID) {
		problems = append(problems, takenID)
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	if existing, ok := b.scanIDs[m.EntityID]; ok {
		if existing.RoundID == in.RoundID && existing.TagCode == in.TagCode && existing.UserID == b.p.UserID {
			return Result{Status: Duplicate, EntityID: m.EntityID, Version: 1}, nil
		}
		return conflict(m, 1, rounds.ScanView(existing))
	}
	scan.ScannedAt = *scannedAt
	earlier := b.roundScans[round.ID]
	checkpoint, flags := rounds.EvaluateScan(round, earlier, scan, b.s.rounds)
	flagsJSON, _ := json.Marshal(nonNil(flags))
	row := store.Scan{ID: m.EntityID, RoundID: round.ID, TagCode: in.TagCode, ScannedAt: scan.ScannedAt,
		ReceivedAt: b.tx.Now, Latitude: scan.Latitude, Longitude: scan.Longitude, AccuracyM: scan.AccuracyM,
		GPSTime: scan.GPSTime, Flags: flagsJSON, UserID: b.p.UserID, DeviceID: b.p.DeviceID}
	outcome := &ScanOutcome{Flags: nonNil(flags)}
	if checkpoint != nil {
		row.CheckpointID, outcome.CheckpointID, outcome.TemplateID = &checkpoint.ID, &checkpoint.ID, checkpoint.TemplateID
	}
	b.scans = append(b.scans, row)
	b.scanIDs[row.ID] = row
	b.roundScans[round.ID] = append(b.roundScans[round.ID], row)
	rounds.SortScans(b.roundScans[round.ID])
	return Result{Status: Applied, EntityID: m.EntityID, Version: 1, Scan: outcome}, nil
}

// round loads a round the caller may scan on, with its scans, once per batch.
func (b *batch) round(id string) (store.Round, bool, error) {
	if !input.IsUUID(id) {
		return store.Round{}, false, nil
	}
	if r, ok := b.rounds[id]; ok {
		return r, rounds.CanSee(b.p, r) && r.Kind == rounds.KindRound, nil
	}
	r, err := b.tx.Round(id)
	if errs.Is(err, errs.NotFound) {
		return store.Round{}, false, nil
	}
	if err != nil {
		return store.Round{}, false, err
	}
	scans, err := b.tx.ScansOfRounds([]string{id})
	if err != nil {
		return store.Round{}, false, err
	}
	b.rounds[id], b.roundScans[id] = r, scans
	return r, rounds.CanSee(b.p, r) && r.Kind == rounds.KindRound, nil
}

// flushScans appends the working set's scans and sends each to its scanner and
// the site's supervisors.
func (ws *workingSet) flushScans(tx *store.Tx) error {
	if err := tx.AddScans(ws.scans); err != nil {
		return err
	}
	for _, s := range ws.scans {
		data, err := json.Marshal(rounds.ScanView(s))
		if err != nil {
			return errs.E("syncer.flushScans", errs.Internal, err)
		}
		site, owner := ws.rounds[s.RoundID].SiteID, s.UserID
		tx.RecordChange(store.Change{EntityType: "scan", EntityID: s.ID, Op: "upsert", Version: 1,
			Audience: store.AudienceOwner, SiteID: &site, OwnerID: &owner, Data: data, Fresh: true})
	}
	return nil
}

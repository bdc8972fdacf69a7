package inspection

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Compact names the raw JSON parts of a stored inspection that the caller
// itself produced with json.Marshal (or wrote as a literal such as "{}"),
// so that they are already compact with HTML characters escaped: what
// json.Marshal would turn them into anyway.
type Compact uint8

// Raw parts of an inspection.
const (
	AnswersCompact Compact = 1 << iota
	ContextCompact
	EvaluationCompact
)

// MarshalView is json.Marshal(ViewOf(row)), byte for byte, without
// validating and re-compacting the raw parts named in compact (issue 17:
// the change log's copy of every pushed inspection). Parts not named, and
// anything else the short path does not expect (a string to escape, a
// time out of range, a score that is not a number), take json.Marshal's
// path, so the bytes and errors are its own.
func MarshalView(row store.Inspection, compact Compact) ([]byte, error) {
	// Names, punctuation, numbers and times take under 768 bytes: the
	// buffer never regrows.
	size := 768 + len(row.ID) + len(row.SiteID) + len(row.TemplateID) + len(row.TemplateKey) + len(row.OwnerID) +
		len(row.DeviceID) + len(row.Status) + len(row.Answers) + len(row.Context) + len(row.Evaluation)
	for _, s := range []*string{row.AssignmentID, row.RoundID, row.ContentHash, row.Outcome, row.ApprovedBy, row.ApprovedHash} {
		if s != nil {
			size += len(*s)
		}
	}
	if b, ok := appendView(make([]byte, 0, size), row, compact); ok {
		return b, nil
	}
	return json.Marshal(ViewOf(row))
}

// appendView writes the view's fields in View's order; false means the
// caller must use json.Marshal instead.
func appendView(b []byte, row store.Inspection, compact Compact) ([]byte, bool) {
	ok := true
	str := func(name, s string) {
		b = append(b, name...)
		if quoted, plain := checklists.AppendPlainString(b, s); plain {
			b = quoted
		} else {
			ok = false
		}
	}
	strp := func(name string, s *string) {
		if s == nil {
			b = append(append(b, name...), "null"...)
			return
		}
		str(name, *s)
	}
	raw := func(name string, r []byte, known bool) {
		b = append(b, name...)
		switch {
		case r == nil:
			b = append(b, "null"...)
		case known && len(r) > 0:
			b = append(b, r...)
		default:
			ok = false
		}
	}
	tm := func(name string, t *time.Time) {
		b = append(b, name...)
		if t == nil {
			b = append(b, "null"...)
			return
		}
		n := len(b) + 1
		b = t.AppendFormat(append(b, '"'), time.RFC3339Nano)
		// time.Time.MarshalJSON refuses what RFC 3339 cannot say: a year
		// not four digits wide, a zone offset of 24 hours or more.
		if b[n+4] != '-' {
			ok = false
		} else if z := b[len(b)-6:]; b[len(b)-1] != 'Z' && (z[0] >= '0' && z[0] <= '9' || 10*(z[1]-'0')+(z[2]-'0') >= 24) {
			ok = false
		}
		b = append(b, '"')
	}
	evaluation := row.Evaluation
	if len(evaluation) == 0 {
		evaluation = []byte("null")
		compact |= EvaluationCompact
	}
	str(`{"id":`, row.ID)
	str(`,"site_id":`, row.SiteID)
	str(`,"template_id":`, row.TemplateID)
	str(`,"template_key":`, row.TemplateKey)
	b = strconv.AppendInt(append(b, `,"template_version":`...), int64(row.TemplateVersion), 10)
	str(`,"owner_id":`, row.OwnerID)
	str(`,"device_id":`, row.DeviceID)
	strp(`,"assignment_id":`, row.AssignmentID)
	strp(`,"round_id":`, row.RoundID)
	str(`,"status":`, row.Status)
	raw(`,"answers":`, row.Answers, compact&AnswersCompact != 0)
	raw(`,"context":`, row.Context, compact&ContextCompact != 0)
	raw(`,"evaluation":`, evaluation, compact&EvaluationCompact != 0)
	strp(`,"content_hash":`, row.ContentHash)
	b = append(b, `,"score":`...)
	if row.Score == nil {
		b = append(b, "null"...)
	} else if f := *row.Score; math.IsNaN(f) || math.IsInf(f, 0) {
		ok = false
	} else {
		b = checklists.AppendFloat(b, f)
	}
	strp(`,"outcome":`, row.Outcome)
	b = strconv.AppendBool(append(b, `,"media_pending":`...), row.MediaPending)
	b = strconv.AppendInt(append(b, `,"version":`...), row.Version, 10)
	tm(`,"started_at":`, row.StartedAt)
	tm(`,"submitted_at":`, row.SubmittedAt)
	tm(`,"received_at":`, row.ReceivedAt)
	strp(`,"approved_by":`, row.ApprovedBy)
	tm(`,"approved_at":`, row.ApprovedAt)
	strp(`,"approved_hash":`, row.ApprovedHash)
	tm(`,"created_at":`, &row.CreatedAt)
	tm(`,"updated_at":`, &row.UpdatedAt)
	return append(b, '}'), ok
}

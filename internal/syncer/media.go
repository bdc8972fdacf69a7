package syncer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/store"
)

// MediaOutcome is what a media.declare result says about the medium.
type MediaOutcome struct {
	// Status is pending (send the bytes: POST /v1/media with the same
	// declaration answers with where) or stored (the organisation had the
	// same bytes already: nothing to send).
	Status string `json:"status"`
}

// declareMedia is media.declare: POST /v1/media's declaration as a
// mutation, so that a phone coming back online sends the evidence it
// captured and the inspection that names it in one batch, and a submit
// later in the batch finds it. It records the medium as POST /v1/media
// does; the bytes go the same way as before (POST /v1/media with the same
// declaration answers with upload URLs, which are not put in a result
// that is replayed for days).
func (b *batch) declareMedia(m Mutation) (Result, error) {
	in, problem := b.declaration(m)
	if problem != nil {
		return rejected(m, *problem), nil
	}
	var problems []FieldError
	if in.ID != "" && !strings.EqualFold(in.ID, m.EntityID) {
		problems = append(problems, FieldError{"/payload/id", "leave it out: the medium's id is the mutation's entity_id"})
	}
	in.ID = m.EntityID
	row, fields := media.CheckFields(in, b.p.UserID, b.isUser)
	limits := b.s.mediaLimits
	switch {
	case in.Size > limits.MaxBytes:
		fields["/size"] = fmt.Sprintf("at most %d bytes", limits.MaxBytes)
	case in.Size > limits.MultipartThreshold:
		fields["/size"] = fmt.Sprintf("a blob over %d bytes uploads in parts: declare it with POST /v1/media", limits.MultipartThreshold)
	}
	if b.isTaken("media", row.ID) {
		// Ids are global; the other organisation's medium stays unseen.
		problems = append(problems, takenID)
	}
	if !input.IsUUID(in.InspectionID) {
		fields["/inspection_id"] = "must be the id of an inspection"
	} else if st, ok := b.inspections[in.InspectionID]; ok {
		switch {
		case !inspection.CanSee(b.p, st.row.SiteID, st.row.OwnerID):
			fields["/inspection_id"] = "this inspection belongs to someone else"
		case st.row.Status == inspection.Approved:
			fields["/inspection_id"] = "the inspection is approved and takes no more media"
		}
	}
	for _, pointer := range slices.Sorted(maps.Keys(fields)) {
		problems = append(problems, FieldError{"/payload" + pointer, fields[pointer]})
	}
	if len(problems) > 0 {
		return rejected(m, problems...), nil
	}
	if existing, ok := b.media[row.ID]; ok {
		return b.redeclaredMedia(m, existing, row)
	}
	if n := b.liveMediaOf(row.InspectionID); n >= limits.MaxPerInspection {
		return rejected(m, FieldError{"/payload/inspection_id",
			fmt.Sprintf("the inspection already holds %d media, the most allowed", limits.MaxPerInspection)}), nil
	}
	row.ObjectKey = media.ObjectKey(b.p.OrgID, row.ID)
	if twin, ok := b.twins[store.TwinKey(row.SHA256, row.Size)]; ok {
		// The same bytes are stored already: point at them, as POST
		// /v1/media does.
		row.Status, row.ObjectKey, row.ContentType = media.Stored, twin.ObjectKey, twin.ContentType
		row.ThumbnailKey, row.StoredAt = twin.ThumbnailKey, &b.tx.Now
	}
	b.addMedia(row)
	b.newMedia = append(b.newMedia, &row)
	return Result{Status: Applied, EntityID: row.ID, Version: row.Version, Media: &MediaOutcome{Status: row.Status}}, nil
}

// redeclaredMedia answers a declaration of an id declared before: the same
// content is a duplicate; other content, or a medium collected meanwhile,
// a conflict with the server's record.
func (b *batch) redeclaredMedia(m Mutation, existing, wanted store.Media) (Result, error) {
	same := existing.SHA256 == wanted.SHA256 && existing.Size == wanted.Size &&
		existing.InspectionID == wanted.InspectionID && existing.Kind == wanted.Kind
	if !same || existing.Status == media.Deleted {
		return conflict(m, existing.Version, media.ViewOf(existing))
	}
	return Result{Status: Duplicate, EntityID: existing.ID, Version: existing.Version,
		Media: &MediaOutcome{Status: existing.Status}}, nil
}

// addMedia puts a medium in the working set unless it holds the id
// already, and counts it for its inspection unless it is deleted.
func (ws *workingSet) addMedia(row store.Media) {
	if _, ok := ws.media[row.ID]; ok {
		return
	}
	ws.media[row.ID] = row
	if row.Status != media.Deleted {
		if ws.liveMedia == nil {
			ws.liveMedia = map[string]int{}
		}
		ws.liveMedia[row.InspectionID]++
	}
}

// liveMediaOf counts the media declared for an inspection, stored and
// here: counted as they are added, not by a walk over every medium of the
// working set for each declaration (issue 17: a group of pushes declaring
// photos walked hundreds of media per declaration).
func (ws *workingSet) liveMediaOf(inspectionID string) int {
	return ws.liveMedia[inspectionID]
}

// isUser says whether a signer id names a user of the caller's organisation.
func (b *batch) isUser(id string) bool {
	if !input.IsUUID(id) {
		return false
	}
	_, err := b.tx.User(id)
	return err == nil
}

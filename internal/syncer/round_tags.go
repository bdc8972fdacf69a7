package syncer

import (
	"encoding/json"
	"strings"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// roundCheckpointTag makes the expected tag of an inspection started on a
// round the route's own: the phone names the checkpoint it scanned
// (context.checkpoint_tag), and the server keeps it only when it is the tag
// of one of the round's checkpoints, spelled as the route spells it (the
// night round takes its expected tags from the route's checkpoints, 003
// 巡逻岗位; design.md §6 "Server-side truth"). Any other tag is dropped, so
// that a checkpoint_scan item without its own tag is an error
// (no_expected_tag), never a pass against a tag the phone chose.
func (b *batch) roundCheckpointTag(st *inspectionState, context map[string]any) error {
	if st.row.RoundID == nil {
		return nil
	}
	claimed, _ := context["checkpoint_tag"].(string)
	delete(context, "checkpoint_tag")
	if claimed == "" {
		return nil
	}
	round, err := b.tx.Round(*st.row.RoundID)
	if errs.Is(err, errs.NotFound) {
		return nil
	} else if err != nil {
		return err
	}
	var checkpoints []struct {
		TagCode string `json:"tag_code"`
	}
	if json.Unmarshal(round.Checkpoints, &checkpoints) != nil {
		return nil
	}
	for _, checkpoint := range checkpoints {
		if strings.EqualFold(strings.TrimSpace(checkpoint.TagCode), strings.TrimSpace(claimed)) {
			context["checkpoint_tag"] = checkpoint.TagCode
			return nil
		}
	}
	return nil
}

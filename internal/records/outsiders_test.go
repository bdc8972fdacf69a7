package records

import (
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/store"
)

// A registration's answers give its people: the visitor register one, with
// the chosen reason's label and any free text; the outside-inspector
// register each inspector of its group, sharing the visit's unit, purpose
// and times. Answers that are not a register's give nobody.
func TestVisitorsOf(t *testing.T) {
	labels := func(value string) checklists.Text {
		if value == "other" {
			return checklists.Text{"zh-CN": "其他", "en": "Other"}
		}
		return nil
	}
	visitor := visitorsOf(store.Inspection{Answers: []byte(`{"visitor_name":{"value":"张伟"},"visitor_unit":{"value":"Acme"},
		"visitor_id_number":{"value":"110101199003074511"},"visit_reason":{"value":"other"},"visit_reason_other":{"value":"送货"},
		"entered_at":{"value":"08:35"},"left_at":{"value":"09:50"}}`)}, labels)
	if len(visitor) != 1 || visitor[0].Name != "张伟" || visitor[0].IDNumber != "110101199003074511" || visitor[0].EnteredAt != "08:35" ||
		visitor[0].LeftAt != "09:50" || visitor[0].reason(tableDoc{lang: LangEnglish}.t) != "Other · 送货" {
		t.Errorf("visitor register = %+v", visitor)
	}
	inspectors := visitorsOf(store.Inspection{Answers: []byte(`{"inspector_unit":{"value":"人民银行"},"purpose":{"value":"安全检查"},
		"arrived_at":{"value":"2026-03-02T01:30:00Z"},"inspectors":{"repeats":[{"name":{"value":"李明"},"work_id_number":{"value":"PBOC-0042"}},
		{"name":{"value":"Wang Fang"},"id_number":{"value":"310101198512120022"}}]}}`)}, labels)
	if len(inspectors) != 2 || inspectors[0].Name != "李明" || inspectors[0].WorkIDNumber != "PBOC-0042" || inspectors[1].IDNumber != "310101198512120022" ||
		inspectors[1].Unit != "人民银行" || inspectors[1].reason(tableDoc{lang: LangBoth}.t) != "安全检查" || inspectors[1].EnteredAt != "2026-03-02T01:30:00Z" {
		t.Errorf("inspector register = %+v", inspectors)
	}
	if other := visitorsOf(store.Inspection{Answers: []byte(`{"door_locked":{"value":true}}`)}, labels); other != nil {
		t.Errorf("a patrol's answers give %+v", other)
	}
}

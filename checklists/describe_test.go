package checklists

import (
	"testing"
)

// The night round's suspicious-person report is described by the area,
// the details and who was told, in the language asked for, then the note;
// answers left out are left out of the text.
func TestDescribeIncident(t *testing.T) {
	t.Parallel()
	var round *Template
	templates, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, template := range templates {
		if template.Key == "night-patrol-round" {
			round = template
		}
	}
	raised := RaisedIncident{Path: "/suspicious_found", ItemKey: "suspicious_found"}
	full := map[string]Answer{
		"checkpoint_area":        {Value: "vault"},
		"suspicious_found":       {Value: "yes", Note: "已通知值班领导"},
		"suspicious_detail":      {Value: "两名男子,灰色外套,22:40"},
		"suspicious_reported_to": {Value: "duty_leader"},
	}
	tests := []struct {
		name     string
		answers  map[string]Answer
		raised   RaisedIncident
		language string
		want     string
	}{
		{"zh-CN", full, raised, "zh-CN",
			"巡逻点位置: 金库\n可疑人员/车辆情况(特征、车牌、位置、时间): 两名男子,灰色外套,22:40\n已上报对象: 值班领导\n已通知值班领导"},
		{"en", full, raised, "en",
			"Checkpoint area: Vault\nSuspicious person/vehicle details (description, plate, place, time): 两名男子,灰色外套,22:40\nReported to: Duty leader\n已通知值班领导"},
		{"only what was answered", map[string]Answer{"suspicious_found": {Value: "yes"}, "suspicious_detail": {Value: "白色面包车"}},
			raised, "zh-CN", "可疑人员/车辆情况(特征、车牌、位置、时间): 白色面包车"},
		{"an item without an incident rule", full, RaisedIncident{Path: "/checkpoint_area"}, "zh-CN", ""},
		{"a path into nothing", full, RaisedIncident{Path: "/nope/0/x"}, "zh-CN", ""},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			if got := DescribeIncident(round, test.answers, test.raised, test.language); got != test.want {
				t.Fatalf("description:\n%s\nwant:\n%s", got, test.want)
			}
		})
	}
}

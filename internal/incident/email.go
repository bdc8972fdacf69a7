package incident

import (
	"fmt"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/incident/policy"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/store"
)

// eventWords say what happened, in Chinese and English.
var eventWords = map[string][2]string{
	"incident.reported":     {"新报告", "reported"},
	"incident.updated":      {"有新消息", "updated"},
	"incident.follow_up":    {"有新消息", "updated"},
	"incident.acknowledged": {"已受理", "acknowledged"},
	"incident.progress":     {"处置进展", "progress report"},
	"incident.resolved":     {"已处置完毕", "resolved"},
	"incident.summarized":   {"书面总结已提交", "written summary filed"},
	"incident.closed":       {"已结案", "closed"},
	"incident.escalated":    {"已上报上一级", "escalated"},
	"incident.late":         {"逾期未办", "late"},
}

// emailFor writes the email about an event of r, in Chinese then English,
// with names (site, reporter) and times in the site's zone: the reader may
// have nothing but this email.
func emailFor(tx *store.Tx, r store.Incident, eventType string) (*notify.Email, error) {
	site, err := tx.Site(r.SiteID)
	if err != nil {
		return nil, err
	}
	reporter, err := tx.User(r.ReporterID)
	if err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(site.Timezone)
	if err != nil {
		zone = time.UTC
	}
	when := func(t time.Time) string { return t.In(zone).Format("2006-01-02 15:04 MST") }
	words, ok := eventWords[eventType]
	if !ok {
		words = [2]string{eventType, eventType}
	}
	category := policy.CategoryLabels[r.Category]
	if category[0] == "" {
		category = policy.CategoryLabels["other"]
	}
	level := Labels[r.Level]
	subject := fmt.Sprintf("[%s] %s %s:%s / %s incident %s: %s", level, site.Name, words[0], r.Type, category[1], words[1], r.Type)
	var b strings.Builder
	fmt.Fprintf(&b, "事件:%s(%s,%s)\n", r.Type, category[0], level)
	fmt.Fprintf(&b, "网点:%s  地点:%s\n", site.Name, r.Place)
	fmt.Fprintf(&b, "报告人:%s  发生时间:%s  收到时间:%s\n", reporter.Name, when(r.OccurredAt), when(r.ReceivedAt))
	fmt.Fprintf(&b, "状态:%s\n", statusWords[r.Status][0])
	if r.ReportDueAt != nil && r.Status == Reported {
		fmt.Fprintf(&b, "受理期限:%s  上报期限:%s\n", when(r.AckDueAt), when(*r.ReportDueAt))
	}
	if r.LateSteps != "" {
		fmt.Fprintf(&b, "逾期环节:%s\n", stepList(r.LateSteps, 0))
	}
	fmt.Fprintf(&b, "%s\n\n", r.Description)
	fmt.Fprintf(&b, "Incident: %s (%s, level %s)\n", r.Type, category[1], level)
	fmt.Fprintf(&b, "Site: %s  Place: %s\n", site.Name, r.Place)
	fmt.Fprintf(&b, "Reported by: %s  Occurred: %s  Received: %s\n", reporter.Name, when(r.OccurredAt), when(r.ReceivedAt))
	fmt.Fprintf(&b, "Status: %s\n", statusWords[r.Status][1])
	if r.ReportDueAt != nil && r.Status == Reported {
		fmt.Fprintf(&b, "Acknowledge by: %s  Report up by: %s\n", when(r.AckDueAt), when(*r.ReportDueAt))
	}
	if r.LateSteps != "" {
		fmt.Fprintf(&b, "Late: %s\n", stepList(r.LateSteps, 1))
	}
	return &notify.Email{Subject: subject, Body: b.String(), Link: "/console/#/incidents/" + r.ID}, nil
}

var statusWords = map[string][2]string{
	Reported: {"已报告,待受理", "reported, awaiting acknowledgement"}, Acknowledged: {"已受理", "acknowledged"},
	Handling: {"处置中", "handling"}, Resolved: {"已处置,待书面总结", "resolved, summary due"},
	Summarized: {"已总结,待结案", "summary filed, to close"}, Closed: {"已结案", "closed"},
}

var stepWords = map[string][2]string{
	policy.StepAcknowledge: {"受理", "acknowledgement"}, policy.StepReport: {"书面上报", "report up"},
	policy.StepHandle: {"处置", "handling"}, policy.StepSummary: {"书面总结", "written summary"},
}

func stepList(steps string, lang int) string {
	var out []string
	for _, s := range strings.Split(steps, ",") {
		out = append(out, stepWords[s][lang])
	}
	return strings.Join(out, ", ")
}

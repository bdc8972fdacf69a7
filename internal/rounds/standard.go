package rounds

import (
	"context"
	"slices"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Standard is a schedule every organisation is offered from its first day,
// for a checklist of the standard library. It runs nowhere until an
// administrator picks a site for it (POST /v1/schedules with its template,
// rule and start time), because a schedule without a site would make
// rounds for no one. The rules are those the console's schedule editor
// writes for its presets, so the editor opens them as presets.
type Standard struct {
	Key              string            `json:"key"`
	Name             map[string]string `json:"name"`
	TemplateKey      string            `json:"template_key"`
	TemplateID       *string           `json:"template_id"` // nil when the organisation lacks the checklist
	RRule            string            `json:"rrule"`
	StartTime        string            `json:"start_time"` // local wall time, HH:MM
	ToleranceMinutes int64             `json:"tolerance_minutes"`
	Source           string            `json:"source"` // the seed and article the frequency comes from
	SiteIDs          []string          `json:"site_ids"`
}

// standards are the day-one schedules (seed files: 002 the network and
// production-safety emergency plans, 003 the credit-union security rules,
// 004 the security-management guide).
var standards = []Standard{
	{Key: "daily-equipment-check", Name: map[string]string{"zh-CN": "每日安防设备检查", "en": "Daily security equipment check"},
		TemplateKey: "security-equipment-daily", RRule: "FREQ=DAILY;BYHOUR=8;BYMINUTE=30;BYSECOND=0", StartTime: "08:30",
		ToleranceMinutes: 240, Source: "003 第九–十二条; 004: 安全员每日巡检监控、报警设备 (daily inspection of monitoring and alarms)"},
	{Key: "monthly-hazard-investigation", Name: map[string]string{"zh-CN": "每月隐患排查", "en": "Monthly hidden-hazard investigation"},
		TemplateKey: "hidden-hazard-investigation", RRule: "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0;BYSECOND=0", StartTime: "09:00",
		ToleranceMinutes: 10080, Source: "004: 每月至少开展一次全面安全检查，隐患整改并记录 (a full safety inspection every month, hazards rectified and recorded)"},
	{Key: "quarterly-drill", Name: map[string]string{"zh-CN": "季度应急演练", "en": "Quarterly emergency drill"},
		TemplateKey: "emergency-drill-quarterly", RRule: "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=1;BYHOUR=10;BYMINUTE=0;BYSECOND=0", StartTime: "10:00",
		ToleranceMinutes: 10080, Source: "004: 每季度组织一次防火、防盗、防抢应急演练 (a fire, theft and robbery drill every quarter)"},
	{Key: "june-safety-month-drill", Name: map[string]string{"zh-CN": "六月安全生产月演练", "en": "June safety-month drill"},
		TemplateKey: "emergency-drill-quarterly", RRule: "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1;BYHOUR=10;BYMINUTE=0;BYSECOND=0", StartTime: "10:00",
		ToleranceMinutes: 10080, Source: "002 篇18: 每年六月安全生产月组织演练 (a drill each June, safety month)"},
	{Key: "monthly-network-check", Name: map[string]string{"zh-CN": "每月网络安全检查", "en": "Monthly network-security check"},
		TemplateKey: "machine-room-infosec", RRule: "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=14;BYMINUTE=0;BYSECOND=0", StartTime: "14:00",
		ToleranceMinutes: 10080, Source: "002: 每月对全站网络进行一次安全检查 (a whole-site network check every month)"},
}

// Standards lists the day-one schedules with the organisation's checklist
// for each and the caller's sites where one already runs (an active
// schedule of the same checklist and rule).
func (s *Service) Standards(ctx context.Context) ([]Standard, error) {
	const op = "rounds.Standards"
	p, _ := principal.From(ctx)
	sites, ok := siteScope(p, "")
	tx := s.db.Read(ctx)
	var running []store.Schedule
	active := true
	for page := (store.Page{Limit: 500}); ok; {
		rows, next, err := tx.ListSchedules(store.SiteFilterOf{SiteIDs: sites, Active: &active}, page)
		if err != nil {
			return nil, errs.Wrap(op, err)
		}
		running = append(running, rows...)
		if next == "" {
			break
		}
		page.After = next
	}
	out := make([]Standard, len(standards))
	for i, standard := range standards {
		standard.SiteIDs = []string{}
		template, err := tx.TemplateByKey(standard.TemplateKey)
		switch {
		case errs.Is(err, errs.NotFound):
		case err != nil:
			return nil, errs.Wrap(op, err)
		default:
			standard.TemplateID = &template.ID
			for _, schedule := range running {
				if schedule.TemplateID != nil && *schedule.TemplateID == template.ID && schedule.RRule == standard.RRule &&
					!slices.Contains(standard.SiteIDs, schedule.SiteID) {
					standard.SiteIDs = append(standard.SiteIDs, schedule.SiteID)
				}
			}
		}
		out[i] = standard
	}
	return out, nil
}

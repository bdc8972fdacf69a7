// Package policy holds what the regulations say an incident's deadlines
// are: the levels, the categories, the four deadlines of the life cycle
// and their defaults with the seed articles they come from, and how an
// organisation's edits are read and checked. It is pure: no database, no
// clock; the incident package and the alert settings (internal/notify)
// share it.
package policy

import (
	"encoding/json"
	"fmt"
	"time"
)

// Levels (突发事件分级), weakest first. They are stored in English and
// shown with the unambiguous Chinese names, never "一级": the seeds number
// levels in opposite directions (001 第11篇 三级 is the lowest, 002's Ⅰ级
// the highest).
const (
	General  = "general"  // 一般
	Serious  = "serious"  // 较大
	Major    = "major"    // 重大
	Critical = "critical" // 特别重大
)

// Levels lists the levels weakest first.
var Levels = []string{General, Serious, Major, Critical}

// LevelLabels are the levels' names in the regulations.
var LevelLabels = map[string]string{General: "一般", Serious: "较大", Major: "重大", Critical: "特别重大"}

// Rank orders levels: 0 for general up to 3 for critical, -1 for none.
func Rank(level string) int {
	for i, l := range Levels {
		if l == level {
			return i
		}
	}
	return -1
}

// Categories of incident, each with its own questions in the standard
// template incident-report (checklists/library/incident-report.json).
var Categories = []string{"robbery", "fire", "network", "equipment", "injury", "public_opinion", "other"}

// CategoryLabels name the categories in both languages.
var CategoryLabels = map[string][2]string{
	"robbery": {"抢劫盗窃", "Robbery or theft"}, "fire": {"火灾", "Fire"},
	"network": {"网络与信息安全", "Network or information security"}, "equipment": {"设备故障", "Equipment failure"},
	"injury": {"人员伤亡", "Injury"}, "public_opinion": {"舆情事件", "Public-opinion event"}, "other": {"其他", "Other"},
}

// IsCategory reports whether c is a category.
func IsCategory(c string) bool { _, ok := CategoryLabels[c]; return ok }

// Steps of the life cycle that have a deadline.
const (
	StepAcknowledge = "acknowledge" // someone up the chain has taken the report in hand
	StepReport      = "report"      // the first written report up (first progress report)
	StepHandle      = "handle"      // resolved
	StepSummary     = "summary"     // the written summary after it is resolved
)

// Steps lists the deadline steps in life-cycle order.
var Steps = []string{StepAcknowledge, StepReport, StepHandle, StepSummary}

// Deadlines are one level's deadlines in minutes. Acknowledge, Report and
// Handle run from when the server received the report (client clocks are
// not trusted); Summary runs from the resolution.
type Deadlines struct {
	AcknowledgeMinutes int `json:"acknowledge_minutes"`
	ReportMinutes      int `json:"report_minutes"`
	HandleMinutes      int `json:"handle_minutes"`
	SummaryMinutes     int `json:"summary_minutes"`
}

// Policy is an organisation's deadlines by level.
type Policy map[string]Deadlines

// Defaults are the seeds' deadlines:
//   - acknowledge 10 min: "网络管理员…在十分钟内上报信息管理总监" (002 L995); the
//     first internal alert, for every level.
//   - report 2 h, 1 h for 重大 and 特别重大: "初次报告最迟不得超过2小时" (002
//     L971, network incidents), "特别重大舆情务必1小时内上报,重大舆情务必2小时内上报"
//     (002 L335), 30 min in writing after a phone report (002 L157); the
//     digest's agreed default is ≤ 1 h for the two highest levels, ≤ 2 h
//     otherwise. A death or serious injury is 1 h at any level ("重伤事故应
//     在1小时内报", 002 L1389, L1403): see Casualties.
//   - handle: the courier plan's finish deadlines, 三级 40 min, 二级 8 h,
//     一级 12 h, 特级 24 h "尽量" (001 第11篇 L227–230), by rank.
//   - summary 3 days: "书面报告三日内报送" (002 L177).
var Defaults = Policy{
	General:  {AcknowledgeMinutes: 10, ReportMinutes: 120, HandleMinutes: 40, SummaryMinutes: 3 * 24 * 60},
	Serious:  {AcknowledgeMinutes: 10, ReportMinutes: 120, HandleMinutes: 8 * 60, SummaryMinutes: 3 * 24 * 60},
	Major:    {AcknowledgeMinutes: 10, ReportMinutes: 60, HandleMinutes: 12 * 60, SummaryMinutes: 3 * 24 * 60},
	Critical: {AcknowledgeMinutes: 10, ReportMinutes: 60, HandleMinutes: 24 * 60, SummaryMinutes: 3 * 24 * 60},
}

// CasualtyReportMinutes is the report deadline of a death or serious
// injury, whatever the level (002 L1389 死亡事故, L1403 重伤事故 1小时内).
const CasualtyReportMinutes = 60

// MaxMinutes bounds an edited deadline: a week.
const MaxMinutes = 7 * 24 * 60

// Parse reads a stored policy over the defaults. A level stored as a bare
// number is the report deadline of the first release's settings.
func Parse(stored []byte) Policy {
	out := Policy{}
	for level, d := range Defaults {
		out[level] = d
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(stored, &raw) != nil {
		return out
	}
	for level, value := range raw {
		d, ok := out[level]
		if !ok {
			continue
		}
		var minutes int
		if json.Unmarshal(value, &minutes) == nil {
			if minutes > 0 {
				d.ReportMinutes = minutes
			}
		} else {
			var edited Deadlines
			if json.Unmarshal(value, &edited) == nil {
				d = merge(d, edited)
			}
		}
		out[level] = d
	}
	return out
}

// merge lays the set (positive) fields of edited over d.
func merge(d, edited Deadlines) Deadlines {
	for _, pair := range []struct{ to, from *int }{{&d.AcknowledgeMinutes, &edited.AcknowledgeMinutes},
		{&d.ReportMinutes, &edited.ReportMinutes}, {&d.HandleMinutes, &edited.HandleMinutes},
		{&d.SummaryMinutes, &edited.SummaryMinutes}} {
		if *pair.from > 0 {
			*pair.to = *pair.from
		}
	}
	return d
}

// Edit applies an edit (level → the fields to change, absent or 0 kept)
// to p and returns the field problems by JSON pointer under prefix.
func (p Policy) Edit(edit map[string]map[string]int, prefix string) map[string]string {
	problems := map[string]string{}
	for level, fields := range edit {
		d, ok := p[level]
		if !ok {
			problems[prefix+"/"+level] = "not a level: general, serious, major or critical"
			continue
		}
		for name, minutes := range fields {
			target := d.field(name)
			if target == nil {
				problems[prefix+"/"+level+"/"+name] = "not a deadline: acknowledge_minutes, report_minutes, handle_minutes or summary_minutes"
				continue
			}
			if minutes < 1 || minutes > MaxMinutes {
				problems[prefix+"/"+level+"/"+name] = fmt.Sprintf("must be 1 to %d minutes", MaxMinutes)
				continue
			}
			*target = minutes
		}
		p[level] = d
	}
	return problems
}

func (d *Deadlines) field(name string) *int {
	switch name {
	case "acknowledge_minutes":
		return &d.AcknowledgeMinutes
	case "report_minutes":
		return &d.ReportMinutes
	case "handle_minutes":
		return &d.HandleMinutes
	case "summary_minutes":
		return &d.SummaryMinutes
	}
	return nil
}

// Due are an incident's deadlines as times.
type Due struct {
	Acknowledge time.Time
	Report      time.Time
	Handle      time.Time
}

// DueFor computes the deadlines of an incident of level received at
// received; casualties (a death or serious injury) shorten the report
// deadline to CasualtyReportMinutes.
func (p Policy) DueFor(level string, casualties bool, received time.Time) Due {
	d := p[level]
	report := d.ReportMinutes
	if casualties && report > CasualtyReportMinutes {
		report = CasualtyReportMinutes
	}
	return Due{Acknowledge: received.Add(minutes(d.AcknowledgeMinutes)), Report: received.Add(minutes(report)),
		Handle: received.Add(minutes(d.HandleMinutes))}
}

// SummaryDue is when the written summary of an incident of level resolved
// at resolved is due.
func (p Policy) SummaryDue(level string, resolved time.Time) time.Time {
	return resolved.Add(minutes(p[level].SummaryMinutes))
}

// SkipsLevels reports whether a report goes straight to the top of the
// chain instead of climbing it one step at a time: "紧急情况或特殊情况下可以
// 越级直接上报" (001 第10篇 L208). A 特别重大 incident is reported to the
// whole leading group at once (001 第11篇 L230), and a death is reported
// to the company's leaders at once (002 L1389).
func SkipsLevels(level string, casualties bool) bool {
	return level == Critical || casualties
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

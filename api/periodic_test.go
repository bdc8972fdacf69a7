package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type periodicFigures struct {
	Inspections struct{ Submitted, Approved, Returned, Failed, Late int64 }
	Rounds      struct{ Scheduled, Completed, Partial, Missed, Open int64 }
	Findings    struct{ Opened, Closed, Overdue int64 }
	Incidents   map[string]int64
	Drills      int64
}

type periodicReport struct {
	Period, Label string
	Sites         []struct {
		SiteID   string `json:"site_id"`
		SiteName string `json:"site_name"`
		Timezone string
		From, To time.Time
		periodicFigures
	}
	Total periodicFigures
}

// A week's report counts what happened at each site in its own local week
// and sums the sites; a supervisor sees their sites, an admin every site;
// the same figures come as CSV and PDF.
func TestPeriodicReports(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("periodic")
		submittedNow(t, env, tenant, patrolTemplate, false) // a failed inspection raises a finding
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("incident.report", newID(), map[string]any{
			"site_id": tenant.Sites[0].ID, "type": "fire alarm", "level": "serious", "occurred_at": time.Now().UTC().Format(time.RFC3339)})})
		wantStatus(t, results, "applied")

		var week periodicReport
		env.Get("/v1/reports/periodic?period=week", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &week)
		if len(week.Sites) != len(tenant.Sites) || !strings.Contains(week.Label, "-W") {
			t.Fatalf("admin's week: %d sites, label %q", len(week.Sites), week.Label)
		}
		first := week.Sites[0]
		if first.SiteID != tenant.Sites[0].ID {
			first = week.Sites[1]
		}
		if first.Inspections.Submitted != 1 || first.Inspections.Failed != 1 || first.Findings.Opened == 0 ||
			first.Incidents["serious"] != 1 || first.Incidents["critical"] != 0 || first.Findings.Overdue != 0 || first.Timezone != "Asia/Shanghai" {
			t.Fatalf("site figures %+v", first)
		}
		if local := first.From.In(time.FixedZone("CST", 8*3600)); local.Weekday() != time.Monday || local.Hour() != 0 ||
			first.To.Sub(first.From) != 7*24*time.Hour {
			t.Fatalf("the week runs %s to %s", first.From, first.To)
		}
		if week.Total.Inspections.Submitted != 1 || week.Total.Incidents["serious"] != 1 || week.Total.Findings.Opened != first.Findings.Opened {
			t.Fatalf("total %+v", week.Total)
		}
		// A supervisor of the first site sees it alone; another site is not theirs.
		var mine periodicReport
		env.Get("/v1/reports/periodic?period=month", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Sites) != 1 || mine.Sites[0].Inspections.Submitted != 1 {
			t.Fatalf("supervisor's month: %+v", mine.Sites)
		}
		env.Get("/v1/reports/periodic?period=month&site_id="+tenant.Sites[1].ID, tenant.Supervisor.Token).Want(t, http.StatusNotFound)
		// A year long past holds nothing.
		var past periodicReport
		env.Get("/v1/reports/periodic?period=year&date=2021-06-01&site_id="+tenant.Sites[0].ID, tenant.Admin.Token).
			Want(t, http.StatusOK).JSON(t, &past)
		if past.Label != "2021" || len(past.Sites) != 1 || past.Total.Inspections.Submitted != 0 || past.Total.Incidents["serious"] != 0 {
			t.Fatalf("2021: %+v", past)
		}
		bad := env.Get("/v1/reports/periodic?period=day&date=yesterday&format=xml", tenant.Admin.Token).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, pointer := range []string{"/period", "/date", "/format"} {
			if bad[pointer] == "" {
				t.Errorf("bad query does not name %s: %v", pointer, bad)
			}
		}
		env.Get("/v1/reports/periodic?period=week", tenant.Guard.Token).Want(t, http.StatusForbidden)

		res := env.Get("/v1/reports/periodic?period=week&format=csv", tenant.Admin.Token).Want(t, http.StatusOK)
		all, err := periodicCSV(res.Body)
		if err != nil || len(all) < len(tenant.Sites)+2 || all[len(tenant.Sites)+1][0] != "合计 Total" {
			t.Fatalf("CSV %v: %q", err, res.Body)
		}
		lines := all[:len(tenant.Sites)+2] // the figures; the failed items follow
		column := map[string]int{}
		for i, name := range lines[0] {
			column[name] = i
		}
		if got := lines[len(lines)-1][column["事件与演练较大 Incidents and drills serious"]]; got != "1" {
			t.Fatalf("CSV total of serious incidents %q in %v", got, lines)
		}
		res = env.Get("/v1/reports/periodic?period=week&format=pdf&lang=en", tenant.Admin.Token).Want(t, http.StatusOK)
		text := pdfUnicodeText(res.Body)
		for _, want := range []string{"Weekly security report", week.Label, tenant.Sites[0].Name, "Incidents and drills", "Total"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF misses %q:\n%s", want, text)
			}
		}
		res = env.Get("/v1/reports/periodic?period=year&format=pdf&lang=zh-CN", tenant.Admin.Token).Want(t, http.StatusOK)
		if text := pdfUnicodeText(res.Body); !strings.Contains(text, "安全工作年报") || !strings.Contains(text, "特别重大") {
			t.Errorf("Chinese PDF: %s", text)
		}
	})
}

// periodicCSV reads a periodic report's CSV: the figures, then after an
// empty line the failed items, a table of other columns.
func periodicCSV(body []byte) ([][]string, error) {
	reader := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))))
	reader.FieldsPerRecord = -1
	return reader.ReadAll()
}

type failedItem struct {
	TemplateKey string `json:"template_key"`
	Checklist   string
	ItemPath    string `json:"item_path"`
	Item        string
	Failed      int64
}

// Which checklist items failed how often: per site and across the sites,
// in JSON, CSV and PDF.
func TestPeriodicFailedItems(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("failures")
		submittedNow(t, env, tenant, patrolTemplate, false)
		submittedNow(t, env, tenant, patrolTemplate, false)
		submittedNow(t, env, tenant, patrolTemplate, true)

		var week struct {
			Sites []struct {
				SiteID      string       `json:"site_id"`
				FailedItems []failedItem `json:"failed_items"`
			}
			Total struct {
				FailedItems []failedItem `json:"failed_items"`
			}
		}
		env.Get("/v1/reports/periodic?period=week", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &week)
		var mine []failedItem
		for _, site := range week.Sites {
			if site.SiteID == tenant.Sites[0].ID {
				mine = site.FailedItems
			} else if len(site.FailedItems) != 0 {
				t.Errorf("site B failed %+v", site.FailedItems)
			}
		}
		if len(mine) == 0 || len(week.Total.FailedItems) != len(mine) {
			t.Fatalf("site A failed %+v; total %+v", mine, week.Total.FailedItems)
		}
		for i, item := range mine {
			if item.Failed != 2 || item.TemplateKey != patrolTemplate || item.Item == "" || item.Item == item.ItemPath ||
				item.Checklist == patrolTemplate || week.Total.FailedItems[i] != item {
				t.Errorf("failed item %+v (total %+v), want failed twice, by label", item, week.Total.FailedItems[i])
			}
		}

		res := env.Get("/v1/reports/periodic?period=week&format=csv", tenant.Admin.Token).Want(t, http.StatusOK)
		lines, err := periodicCSV(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		header := len(tenant.Sites) + 2
		if len(lines) != header+1+2*len(mine) || !strings.HasPrefix(lines[header][0], "不合格检查项 Failed items") {
			t.Fatalf("CSV failed items:\n%q", res.Body)
		}
		if got := lines[header+1]; got[0] != tenant.Sites[0].Name || got[2] != mine[0].Item || got[4] != "2" {
			t.Errorf("first failed item line %q, want %+v", got, mine[0])
		}
		if got := lines[len(lines)-1]; got[0] != "合计 Total" || got[4] != "2" {
			t.Errorf("last total line %q", got)
		}

		res = env.Get("/v1/reports/periodic?period=week&format=pdf", tenant.Admin.Token).Want(t, http.StatusOK)
		keepDocument(t, "periodic-failed-items-"+filepath.Base(t.Name())+".pdf", res.Body)
		text := pdfUnicodeText(res.Body)
		zh, _, _ := strings.Cut(mine[0].Item, " / ") // the English may wrap onto another line
		for _, want := range []string{"不合格检查项", "Failed items", zh} {
			if !strings.Contains(text, want) {
				t.Errorf("the printed report lacks %q", want)
			}
		}
	})
}

// submittedNow is submitted with the submission stamped now by the phone
// (the payload's submitted_at). These tests count an inspection in the
// week its submission falls in, beside findings and incidents stamped
// now; the helpers' phone clock runs three hours behind (mut), which put
// the submission in the previous week for the first three hours of every
// week (Sunday 16:00-19:00 UTC for a Shanghai site), and the tests failed
// there.
func submittedNow(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, key string, pass bool) {
	t.Helper()
	submittedStamped(t, env, tenant, key, pass, nil, map[string]any{"submitted_at": time.Now().UTC().Format(time.RFC3339)})
}

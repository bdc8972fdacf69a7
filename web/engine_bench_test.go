package web_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// BenchmarkEngineInChromium measures the WebAssembly engine where guards
// use it: in headless Chromium at phone size with the CPU throttled 4×
// (a mid-range phone), loading the engine from the server and then
// re-evaluating a 200-item template as after each answer. Run it with a
// fixed count, since every run starts a server and a browser:
//
//	go test -run '^$' -bench BenchmarkEngineInChromium -benchtime=200x ./web/
//
// It reports ms per answer through a session (median and 95th percentile
// in the page's own clock), the same for a whole evaluation, and the
// engine's load time (fetch, compile, start).
func BenchmarkEngineInChromium(b *testing.B) {
	template := generatedTemplate(10, 20, 20)
	if err := checklists.Validate(template); err != nil {
		b.Fatal(err)
	}
	document, err := json.Marshal(template)
	if err != nil {
		b.Fatal(err)
	}
	input, err := json.Marshal(checklists.SampleAnswers(template, true))
	if err != nil {
		b.Fatal(err)
	}
	server := browsertest.Server(b, testenv.SQLite(b))
	module := browsertest.EngineModule(b, "app")
	// A loaded machine at 4× throttling needs more than the default 30 s.
	browser := browsertest.New(b, browsertest.Phone, browsertest.Timeout(5*time.Minute))
	browser.Open(server.URL + "/app/manifest.webmanifest")
	browser.ThrottleCPU(4)
	var figures struct {
		Load, Median, P95, WholeMedian, WholeP95 float64
		Outcome                                  string
	}
	// An answer flips item_100 (yes/no) between yes and no: the form sends
	// that answer alone to its session and gets back what changed. The
	// whole evaluation (every answer in, the whole result out) is timed
	// too, for comparison: it is what the form did before sessions.
	browser.Eval(fmt.Sprintf(`(async () => {
		const started = performance.now();
		const engine = await (await import(%q)).loadEngine();
		const load = performance.now() - started;
		const form = engine.load(%s);
		const input = %s;
		const session = form.session(input.answers, input.context, input.inspector_id);
		const median = (times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
		const p95 = (times) => times.sort((a, b) => a - b)[Math.floor(times.length * 0.95)];
		const times = [];
		for (let i = 0; i < %d; i++) {
			const before = performance.now();
			session.change({ item_100: { value: i %% 2 === 0 ? "no" : "yes" } });
			times.push(performance.now() - before);
		}
		session.change({ item_100: { value: "yes" } });
		const whole = [];
		let result;
		for (let i = 0; i < Math.min(%d, 100); i++) {
			const before = performance.now();
			result = form.evaluate(input.answers, input.context, input.inspector_id);
			whole.push(performance.now() - before);
		}
		if (JSON.stringify(result) !== JSON.stringify(session.result)) throw new Error("the session's result differs from a whole evaluation");
		return {Load: load, Median: median(times), P95: p95(times), WholeMedian: median(whole), WholeP95: p95(whole), Outcome: session.result.outcome};
	})()`, module, document, input, b.N, b.N), &figures)
	if figures.Outcome != checklists.OutcomePass {
		b.Fatalf("the sample answers evaluated to %q, want pass", figures.Outcome)
	}
	b.ReportMetric(figures.Median, "ms/answer")
	b.ReportMetric(figures.P95, "p95-ms/answer")
	b.ReportMetric(figures.WholeMedian, "ms/whole-eval")
	b.ReportMetric(figures.WholeP95, "p95-ms/whole-eval")
	b.ReportMetric(figures.Load, "ms-engine-load")
	b.ReportMetric(0, "ns/op") // the wall clock of a run is server and browser start-up, not the engine
}

// generatedTemplate is checklists' benchmark template: sections ×
// perSection items cycling through yes/no, number, choice and text, with
// visible_when rules spread evenly.
func generatedTemplate(sections, perSection, rules int) *checklists.Template {
	template := &checklists.Template{Key: "generated", Title: checklists.Text{"zh-CN": "生成", "en": "Generated"}, PassThreshold: 80}
	every := sections * perSection / rules
	for sectionIndex := range sections {
		section := checklists.Section{Key: fmt.Sprintf("s%d", sectionIndex), Title: checklists.Text{"zh-CN": "段", "en": "Section"}}
		for itemIndex := range perSection {
			position := sectionIndex*perSection + itemIndex
			section.Items = append(section.Items, generatedItem(position, position%every == every-1))
		}
		template.Sections = append(template.Sections, section)
	}
	return template
}

func generatedItem(position int, withRule bool) checklists.Item {
	item := checklists.Item{Key: fmt.Sprintf("item_%d", position), Label: checklists.Text{"zh-CN": "项", "en": "Item"}, Required: true}
	hundred, zero, one, long := 100.0, 0.0, 1, 200
	switch position % 4 {
	case 0:
		item.Type = checklists.TypeYesNo
	case 1:
		item.Type, item.Min, item.Max, item.Decimals = checklists.TypeNumber, &zero, &hundred, &one
	case 2:
		item.Type = checklists.TypeSingleChoice
		item.Options = []checklists.Option{{Value: "good", Label: checklists.Text{"zh-CN": "好", "en": "Good"}},
			{Value: "bad", Label: checklists.Text{"zh-CN": "差", "en": "Bad"}, Fails: true}}
	case 3:
		item.Type, item.MaxLength = checklists.TypeText, &long
	}
	if withRule && position > 0 {
		item.VisibleWhen = map[string]any{"!=": []any{map[string]any{"var": fmt.Sprintf("item_%d", position-1)}, nil}}
	}
	return item
}

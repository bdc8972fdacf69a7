package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/client/flaky"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// deviceCmd runs the reference device client against a server.
func deviceCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "simulate" {
		return errs.E("patrolsync device", errs.Malformed, "usage: patrolsync device simulate --server URL --email E --password P --template KEY --inspections N")
	}
	cfg, err := parseSimulate(args[1:])
	if err != nil {
		return err
	}
	summary, err := simulate(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.logLevel})))
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(summary)
}

type simulateConfig struct {
	server, email, password, template, stateDir string
	inspections                                 int
	dropRate, timeoutRate                       float64
	hang, requestTimeout, limit                 time.Duration
	seed                                        uint64
	batch                                       int
	logLevel                                    slog.Level
	// countersigners are "email:password" of the people who countersign
	// two-person items, each on a phone of their own.
	countersigners []string
	// acknowledgePlans: acknowledge, offline, every emergency plan the
	// device pulled whose current version the user has not acknowledged.
	acknowledgePlans bool
	// incident is a category (robbery, fire, …): one incident of it is
	// reported with its questions answered, besides the inspections.
	incident string
}

func parseSimulate(args []string) (simulateConfig, error) {
	var cfg simulateConfig
	fs := flag.NewFlagSet("device simulate", flag.ContinueOnError)
	fs.StringVar(&cfg.server, "server", "", "server base URL")
	fs.StringVar(&cfg.email, "email", "", "the guard's email")
	fs.StringVar(&cfg.password, "password", "", "the guard's password")
	fs.StringVar(&cfg.template, "template", "", "key of a published template")
	fs.IntVar(&cfg.inspections, "inspections", 1, "how many inspections to fill and submit")
	fs.Float64Var(&cfg.dropRate, "drop-rate", 0, "share of requests lost before the server, and share of answers lost after it")
	fs.Float64Var(&cfg.timeoutRate, "timeout-rate", 0, "share of requests that hang until they time out")
	fs.DurationVar(&cfg.hang, "hang", 2*time.Second, "how long a hanging request takes to time out")
	fs.DurationVar(&cfg.requestTimeout, "request-timeout", 30*time.Second, "per-attempt timeout")
	fs.DurationVar(&cfg.limit, "timeout", 10*time.Minute, "give up after this long")
	fs.StringVar(&cfg.stateDir, "state-dir", "", "device state directory (default: a fresh temporary one)")
	fs.Uint64Var(&cfg.seed, "seed", 0, "seed of the faults and the jitter (default: random)")
	fs.IntVar(&cfg.batch, "batch", 100, "mutations per push")
	fs.Func("countersigner", "email:password of a user who countersigns two-person items on their own simulated phone (repeatable)", func(v string) error {
		if email, password, ok := strings.Cut(v, ":"); !ok || email == "" || password == "" {
			return errors.New("want email:password")
		}
		cfg.countersigners = append(cfg.countersigners, v)
		return nil
	})
	fs.BoolVar(&cfg.acknowledgePlans, "acknowledge-plans", false, "acknowledge every emergency plan not yet acknowledged (plan.acknowledge)")
	fs.StringVar(&cfg.incident, "incident", "", "also report one incident of this category (robbery, fire, network, equipment, injury, public_opinion, other) with its questions answered")
	verbose := fs.Bool("v", false, "log every retry")
	if err := fs.Parse(args); err != nil {
		return cfg, errs.E("patrolsync device simulate", errs.Malformed, err)
	}
	fields := map[string]string{}
	for name, v := range map[string]string{"server": cfg.server, "email": cfg.email, "password": cfg.password, "template": cfg.template} {
		if v == "" {
			fields["--"+name] = "required"
		}
	}
	if cfg.inspections < 1 {
		fields["--inspections"] = "must be at least 1"
	}
	if cfg.dropRate < 0 || cfg.timeoutRate < 0 || 2*cfg.dropRate+cfg.timeoutRate > 0.95 {
		fields["--drop-rate"] = "2×drop-rate + timeout-rate must stay below 0.95, or nothing gets through"
	}
	if len(fields) > 0 {
		return cfg, errs.Fields("patrolsync device simulate", fields)
	}
	if cfg.seed == 0 {
		cfg.seed = rand.Uint64()
	}
	if *verbose {
		cfg.logLevel = slog.LevelDebug
	}
	return cfg, nil
}

// simulateSummary is the one line the command prints.
type simulateSummary struct {
	Inspections       int   `json:"inspections"`
	PlansAcknowledged int   `json:"plans_acknowledged"`
	MutationsSent     int   `json:"mutations_sent"`
	Applied           int   `json:"applied"`
	Duplicate         int   `json:"duplicate"`
	Conflict          int   `json:"conflict"`
	Rejected          int   `json:"rejected"`
	Requests          int64 `json:"requests"`
	DroppedRequests   int64 `json:"dropped_requests"`
	DroppedResponses  int64 `json:"dropped_responses"`
	Timeouts          int64 `json:"timeouts"`
	Retries           int64 `json:"retries"`
	MutationResends   int64 `json:"mutation_resends"`
	Logins            int64 `json:"logins"`
	Refreshes         int64 `json:"refreshes"`
	ServerInspections int   `json:"server_inspections"`
	// Outcomes counts the server's outcomes of the submitted inspections
	// (pass, fail): an unverified countersignature never passes.
	Outcomes      map[string]int `json:"outcomes"`
	MediaUploaded int            `json:"media_uploaded"` // media stored on the server
	MediaFailed   int            `json:"media_failed"`   // media the server refused for good
	Seed          uint64         `json:"seed"`
	Seconds       float64        `json:"seconds"`
}

func simulate(ctx context.Context, cfg simulateConfig, log *slog.Logger) (simulateSummary, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, cfg.limit)
	defer cancel()
	stateDir := cfg.stateDir
	if stateDir == "" {
		dir, err := os.MkdirTemp("", "patrolsync-device-")
		if err != nil {
			return simulateSummary{}, err
		}
		defer os.RemoveAll(dir)
		stateDir = dir
	}
	transport := flaky.New(http.DefaultTransport.(*http.Transport).Clone(), flaky.Options{Seed: cfg.seed,
		DropRequest: cfg.dropRate, DropResponse: cfg.dropRate, Timeout: cfg.timeoutRate, TimeoutAfter: cfg.hang})
	device, err := client.Open(ctx, client.Options{Server: cfg.server, StateDir: stateDir, Log: log, Relogin: true,
		HTTPClient: &http.Client{Transport: transport}, RequestTimeout: cfg.requestTimeout, BatchSize: cfg.batch,
		Seed: cfg.seed, Backoff: client.Backoff{Base: 50 * time.Millisecond, Cap: 2 * time.Second}})
	if err != nil {
		return simulateSummary{}, err
	}
	defer device.Close()
	site, template, err := prepare(ctx, device, cfg, log)
	if err != nil {
		return simulateSummary{}, err
	}
	signers, err := openCountersigners(ctx, cfg, stateDir, transport, log)
	if err != nil {
		return simulateSummary{}, err
	}
	for _, signer := range signers {
		defer signer.device.Close()
	}
	acknowledged := 0
	if cfg.acknowledgePlans {
		if acknowledged, err = acknowledgePlans(ctx, device, log); err != nil {
			return simulateSummary{}, err
		}
	}
	for i := range cfg.inspections {
		if err := fillOne(ctx, device, cfg.template, site, template, signers); err != nil {
			return simulateSummary{}, err
		}
		log.Debug("inspection filled", "n", i+1)
	}
	if cfg.incident != "" {
		if err := reportIncident(ctx, device, site, cfg.incident); err != nil {
			return simulateSummary{}, err
		}
		log.Info("incident reported offline", "category", cfg.incident)
	}
	log.Info("inspections filled offline; syncing", "inspections", cfg.inspections)
	if err := syncUntilEmpty(ctx, device, log); err != nil {
		return simulateSummary{}, err
	}
	if err := logRejected(ctx, device, log); err != nil {
		return simulateSummary{}, err
	}
	onServer, err := device.ServerInspections(ctx, "submitted")
	if err != nil {
		return simulateSummary{}, err
	}
	st, err := device.Stats(ctx)
	if err != nil {
		return simulateSummary{}, err
	}
	outcomes := map[string]int{}
	for _, inspection := range onServer {
		outcomes[inspection.Outcome]++
	}
	faults := transport.Stats()
	sent := st.Results["applied"] + st.Results["duplicate"] + st.Results["conflict"] + st.Results["rejected"]
	return simulateSummary{Inspections: cfg.inspections, MutationsSent: sent, Applied: st.Results["applied"],
		Duplicate: st.Results["duplicate"], Conflict: st.Results["conflict"], Rejected: st.Results["rejected"],
		Requests: st.Requests, DroppedRequests: faults.DroppedRequests, DroppedResponses: faults.DroppedResponses,
		Timeouts: faults.Timeouts, Retries: st.Retries, MutationResends: st.MutationSends - int64(sent),
		Logins: st.Logins, Refreshes: st.Refreshes, ServerInspections: len(onServer), Outcomes: outcomes,
		MediaUploaded: st.Media[client.MediaStored], MediaFailed: st.Media[client.MediaFailed], Seed: cfg.seed,
		Seconds: time.Since(start).Seconds(), PlansAcknowledged: acknowledged}, nil
}

// acknowledgePlans acknowledges the plans the device holds that the user
// has not acknowledged yet; they go out with the next sync.
func acknowledgePlans(ctx context.Context, device *client.Client, log *slog.Logger) (int, error) {
	held, err := device.Plans(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, plan := range held {
		if plan.Acknowledged {
			continue
		}
		if err := device.AcknowledgePlan(ctx, plan.ID); err != nil {
			return n, err
		}
		log.Info("emergency plan acknowledged", "plan", plan.Title, "version", plan.CurrentVersion)
		n++
	}
	return n, nil
}

// prepare signs in, pulls, and finds the template and the user's first site.
func prepare(ctx context.Context, device *client.Client, cfg simulateConfig, log *slog.Logger) (string, *checklists.Template, error) {
	me, err := device.Login(ctx, cfg.email, cfg.password)
	if err != nil {
		return "", nil, err
	}
	if len(me.SiteIDs) == 0 {
		return "", nil, errs.E("patrolsync device simulate", errs.Invalid, cfg.email+" works at no site")
	}
	if _, _, err := device.Sync(ctx); err != nil {
		return "", nil, err
	}
	version, err := device.Template(ctx, cfg.template)
	if err != nil {
		return "", nil, errs.E("patrolsync device simulate", errs.Invalid, fmt.Sprintf("template %q: %v", cfg.template, err))
	}
	template, err := version.Parse()
	if err != nil {
		return "", nil, err
	}
	log.Info("signed in and pulled", "user", me.UserID, "site", me.SiteIDs[0], "template", version.Key, "version", version.Number)
	return me.SiteIDs[0], template, nil
}

// countersigner is a second person with a simulated phone of their own.
type countersigner struct {
	device *client.Client
	role   string
}

// openCountersigners signs every --countersigner in on a device of their
// own and registers its countersign key, as each would while online.
func openCountersigners(ctx context.Context, cfg simulateConfig, stateDir string, transport http.RoundTripper, log *slog.Logger) ([]countersigner, error) {
	var out []countersigner
	for i, credentials := range cfg.countersigners {
		email, password, _ := strings.Cut(credentials, ":")
		device, err := client.Open(ctx, client.Options{Server: cfg.server, StateDir: filepath.Join(stateDir, fmt.Sprintf("countersigner-%d", i+1)),
			Log: log, HTTPClient: &http.Client{Transport: transport}, RequestTimeout: cfg.requestTimeout, Seed: cfg.seed + uint64(i) + 1,
			Backoff: client.Backoff{Base: 50 * time.Millisecond, Cap: 2 * time.Second}})
		if err != nil {
			return nil, err
		}
		out = append(out, countersigner{device: device})
		me, err := device.Login(ctx, email, password)
		if err != nil {
			return out, err
		}
		keyID, err := device.RegisterCountersignKey(ctx)
		if err != nil {
			return out, err
		}
		out[len(out)-1].role = me.Role
		log.Info("countersigner ready", "user", me.UserID, "role", me.Role, "key", keyID)
	}
	return out, nil
}

// holds mirrors the server's rule: "any" and "witness" take anyone,
// "guard" and "supervisor" that role or a stronger one.
func holds(role, asked string) bool {
	rank := map[string]int{"guard": 1, "supervisor": 2, "admin": 3}
	if asked == "guard" || asked == "supervisor" {
		return rank[role] >= rank[asked]
	}
	return rank[role] > 0
}

func fillOne(ctx context.Context, device *client.Client, key, site string, template *checklists.Template, signers []countersigner) error {
	input := checklists.SampleAnswers(template, true)
	id, err := device.StartInspection(ctx, key, site, input.Context)
	if err != nil {
		return err
	}
	if len(signers) > 0 {
		// The countersigner's phone signs what the inspector's phone shows
		// it; without countersigners the sample's strangers stay, and the
		// server fails their items.
		err := client.CountersignAnswers(ctx, template, id, input.Answers, func(ctx context.Context, item checklists.Item, req client.CountersignRequest) (checklists.Countersignature, error) {
			signer := signers[0]
			for _, candidate := range signers {
				if holds(candidate.role, item.Countersign.Role) {
					signer = candidate
					break
				}
			}
			return signer.device.Countersign(ctx, req)
		})
		if err != nil {
			return err
		}
	}
	if err := device.Fill(ctx, id, template, input.Answers); err != nil {
		return err
	}
	return device.Submit(ctx, id)
}

// logRejected tells why the server refused mutations, which is what a
// person running a simulation wants to know first.
func logRejected(ctx context.Context, device *client.Client, log *slog.Logger) error {
	results, err := device.Results(ctx)
	for _, r := range results {
		if r.Status == "rejected" {
			log.Warn("mutation rejected", "entity", r.EntityID, "errors", fmt.Sprint(r.Errors))
		}
	}
	return err
}

// syncUntilEmpty syncs until the outbox is empty; Sync itself retries
// network faults, so only a hard error or the deadline stops it.
func syncUntilEmpty(ctx context.Context, device *client.Client, log *slog.Logger) error {
	for {
		pushed, pulled, err := device.Sync(ctx)
		if err != nil {
			return err
		}
		st, err := device.Stats(ctx)
		if err != nil {
			return err
		}
		log.Info("synced", "applied", pushed.Applied, "duplicate", pushed.Duplicate, "conflict", pushed.Conflict,
			"rejected", pushed.Rejected, "pulled", pulled.Upserts+pulled.Deletes, "outbox", st.Outbox)
		if st.Outbox == 0 {
			return nil
		}
	}
}

// reportIncident reports one incident of the category at site, answering
// the category's questions the way a guard in a hurry would: yes, the
// first option, zero, a short text.
func reportIncident(ctx context.Context, device *client.Client, site, category string) error {
	questions, err := device.IncidentQuestions(ctx)
	if err != nil {
		return err
	}
	answers := map[string]checklists.Answer{}
	for _, section := range questions.Sections {
		if section.VisibleWhen != nil && section.Key != category {
			continue
		}
		for _, item := range section.Items {
			switch item.Type {
			case checklists.TypeYesNo:
				answers[item.Key] = checklists.Answer{Value: "yes"}
			case checklists.TypeNumber:
				answers[item.Key] = checklists.Answer{Value: 0}
			case checklists.TypeText:
				answers[item.Key] = checklists.Answer{Value: "simulated " + item.Key}
			case checklists.TypeSingleChoice:
				answers[item.Key] = checklists.Answer{Value: item.Options[0].Value}
			}
		}
	}
	_, err = device.ReportIncident(ctx, client.IncidentReport{SiteID: site, Type: "simulated " + category, Category: category,
		Level: "general", Place: "simulated", OccurredAt: time.Now().UTC().Format(time.RFC3339),
		Description: "Reported by patrolsync device simulate", Answers: answers})
	return err
}

package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/config"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// BenchmarkPushInspection is one whole night-patrol inspection (start, 30
// answers, submit) pushed through the real sync service into a fresh
// PostgreSQL database, without HTTP. Profile the service with
//
//	go test -run '^$' -bench PushInspection -benchtime 2000x -cpuprofile /tmp/push.pprof ./bench/
func BenchmarkPushInspection(b *testing.B) {
	f := pushFixture(b)
	b.ResetTimer()
	for b.Loop() {
		f.pushOne(b)
	}
}

// BenchmarkPushInspectionDeclaredInPush is BenchmarkPushInspection with
// the media declared as the load tool declares them by default: as
// media.declare mutations at the head of the inspection's own batch, so
// that the push's apply path (declaration, answers, submit with its link
// and signature checks, flush) is all that is timed. Its allocs/op are the
// figure to compare on a shared machine.
func BenchmarkPushInspectionDeclaredInPush(b *testing.B) {
	f := pushFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.pushWithDeclarations(b)
	}
}

func (f *fixture) pushWithDeclarations(b *testing.B) {
	id, now := newID(), time.Now()
	media := f.plan.newMedia(0, newID)
	batch := append(f.plan.declarations(now, id, media, newID),
		f.plan.batchOf(now, id, f.plan.mediaAnswers(id, now.UTC().Format(time.RFC3339), media))...)
	results, err := f.app.Sync.Push(f.ctx, batch)
	if err != nil {
		b.Fatal(err)
	}
	for _, result := range results {
		var r struct{ Status string }
		if err := json.Unmarshal(result, &r); err != nil || r.Status != syncer.Applied {
			b.Fatalf("answered %s, want applied", result)
		}
	}
}

// BenchmarkPushInspectionParallel pushes from 8 goroutines per core at
// once, all as the same guard's device (each inspection is new, so they do
// not clash), to show what the per-organisation change counter costs under
// contention.
func BenchmarkPushInspectionParallel(b *testing.B) {
	f := pushFixture(b)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f.pushOne(b)
		}
	})
}

// fixture is an app on a fresh database, a site, and a guard's device
// signed in (ctx carries the guard).
type fixture struct {
	ctx         context.Context
	app         *app.App
	siteID      string
	databaseURL string
	cfg         config.Config
	plan        *plan
}

// pushOne declares the inspection's media (a submit names only declared
// media), then pushes the inspection: both are timed, as a phone sends
// both.
func (f *fixture) pushOne(b *testing.B) {
	id, now := newID(), time.Now()
	media := f.plan.newMedia(0, newID)
	for _, m := range media {
		sha256hex, _ := mediumDigests(m)
		if _, err := f.app.Media.Declare(f.ctx, declaration(m, id, sha256hex, 1000, now)); err != nil {
			b.Fatal(err)
		}
	}
	batch := f.plan.batchOf(time.Now(), id, f.plan.mediaAnswers(id, now.UTC().Format(time.RFC3339), media))
	results, err := f.app.Sync.Push(f.ctx, batch)
	if err != nil {
		b.Fatal(err)
	}
	var last struct{ Status string }
	if err := json.Unmarshal(results[len(results)-1], &last); err != nil || last.Status != syncer.Applied {
		b.Fatalf("submit answered %s, want applied", results[len(results)-1])
	}
}

// pushFixture finds the night-patrol template by pulling, and pushes 100
// inspections so that ANALYZE sees filled tables, as autovacuum would in
// production.
func pushFixture(b *testing.B) *fixture {
	f := newFixture(b)
	f.plan = templatePlan(b, f.ctx, f.app.Sync, f.siteID)
	for range 100 {
		f.pushOne(b)
	}
	analyze(b, f.databaseURL)
	return f
}

// newFixture opens the app on a fresh database and signs a guard in.
func newFixture(b *testing.B) *fixture {
	b.Helper()
	databaseURL := testenv.Postgres(b)
	settings := map[string]string{"PATROLSYNC_DATABASE_URL": databaseURL, "PATROLSYNC_BLOBS": "file://" + b.TempDir(),
		"PATROLSYNC_VAR_DIR": b.TempDir(), "PATROLSYNC_BCRYPT_COST": "4"}
	cfg, err := config.Load(func(name string) string { return settings[name] })
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if _, err := a.Org.CreateOrg(ctx, "bench", "Benchmark"); err != nil {
		b.Fatal(err)
	}
	orgCtx, _, err := a.Org.ActAsOrg(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	site, err := a.Org.CreateSite(orgCtx, org.SiteInput{Code: "HQ", Name: "Head office", Timezone: "Asia/Shanghai"})
	if err != nil {
		b.Fatal(err)
	}
	_, err = a.Org.CreateUser(orgCtx, org.UserInput{Email: "guard@bench.invalid", Name: "Guard", Password: "benchmark password",
		Role: principal.Guard, SiteIDs: []string{site.ID}})
	if err != nil {
		b.Fatal(err)
	}
	tokens, err := a.Auth.Login(ctx, "guard@bench.invalid", "benchmark password", "bench-device", "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	caller, err := a.Auth.Authenticate(ctx, tokens.AccessToken)
	if err != nil {
		b.Fatal(err)
	}
	return &fixture{ctx: principal.With(ctx, caller), app: a, siteID: site.ID, databaseURL: databaseURL, cfg: cfg}
}

func templatePlan(b *testing.B, ctx context.Context, service *syncer.Service, siteID string) *plan {
	b.Helper()
	page, err := service.Pull(ctx, "", 1000)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(page)
	if err != nil {
		b.Fatal(err)
	}
	var changes struct {
		Changes []struct {
			EntityType string `json:"entity_type"`
			Data       struct {
				TemplateID string          `json:"template_id"`
				Key        string          `json:"key"`
				Number     int             `json:"number"`
				Document   json.RawMessage `json:"document"`
			} `json:"data"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(raw, &changes); err != nil {
		b.Fatal(err)
	}
	for _, c := range changes.Changes {
		if c.EntityType == "template_version" && c.Data.Key == "night-patrol-round" {
			p, err := newPlan(c.Data.TemplateID, c.Data.Number, siteID, c.Data.Document)
			if err != nil {
				b.Fatal(err)
			}
			return p
		}
	}
	b.Fatal("night-patrol-round is not in a guard's first pull")
	return nil
}

func analyze(b *testing.B, databaseURL string) {
	b.Helper()
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// BenchmarkGroupLookups times the lookups a group of 16 pushes made once
// per push and now makes once per group (issue 17): the callers' standing
// (one CallerBySession per request against one CallersBySession for the
// group), and a site's reference data, which every submitted inspection
// read with two gorm queries and a group now reads once in one statement.
// One op is one group's worth.
//
//	go run ./cmd/testrun -run '^$' -bench GroupLookups -benchtime 200x ./internal/store/
func BenchmarkGroupLookups(b *testing.B) {
	db, ctx, sessions, site := groupLookupsFixture(b)
	day := time.Now().UTC().Format(time.DateOnly)
	b.Run("callers/one per push", func(b *testing.B) {
		for b.Loop() {
			for _, id := range sessions {
				if _, err := db.Read(ctx).CallerBySession(id); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("callers/one per group", func(b *testing.B) {
		for b.Loop() {
			if callers, err := db.Read(ctx).CallersBySession(sessions); err != nil || len(callers) != len(sessions) {
				b.Fatal(len(callers), err)
			}
		}
	})
	b.Run("site reference data/one per group", func(b *testing.B) {
		for b.Loop() {
			if values, assets, err := db.Read(ctx).SiteReferenceData(site, day); err != nil || len(values) != 3 || len(assets) != 12 {
				b.Fatal(len(values), len(assets), err)
			}
		}
	})
}

// groupLookupsFixture is an organisation with a site holding 12 assets and
// 3 reference values of today, and 16 guards each signed in on a device.
func groupLookupsFixture(b *testing.B) (*store.DB, context.Context, []string, string) {
	db, err := store.Open(context.Background(), testenv.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background(), quiet); err != nil {
		b.Fatal(err)
	}
	org := store.Org{ID: newID(), Slug: "lookups", Name: "lookups"}
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return tx.CreateOrg(&org) }); err != nil {
		b.Fatal(err)
	}
	ctx := principal.With(context.Background(), principal.Principal{OrgID: org.ID, UserID: newID(), Role: principal.Admin})
	site := store.Site{ID: newID(), Code: "S1", Name: "Site", Timezone: "Asia/Shanghai", Active: true}
	var sessions []string
	var setBy string
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSite(&site); err != nil {
			return err
		}
		for i := range 12 {
			kind := []string{"camera", "vehicle", "cash_transport_crew"}[i%3]
			asset := store.Asset{ID: newID(), SiteID: site.ID, Kind: kind, Code: fmt.Sprintf("C%02d", i),
				Name: "asset", IDNumber: fmt.Sprintf("1101%014d", i), Details: []byte("{}"), Active: true}
			if err := tx.CreateAsset(&asset); err != nil {
				return err
			}
		}
		for i := range 16 {
			user := store.User{ID: newID(), Email: fmt.Sprintf("guard%d@lookups.test", i), Name: "guard",
				Role: principal.Guard, PasswordHash: "x", Active: true}
			if err := tx.CreateUser(&user); err != nil {
				return err
			}
			if err := tx.SetUserSites(user.ID, []string{site.ID}); err != nil {
				return err
			}
			device := store.Device{ID: newID(), DeviceKey: fmt.Sprintf("phone-%d", i), Name: "phone", Platform: "android",
				UserID: &user.ID, Active: true}
			if err := tx.CreateDevice(&device); err != nil {
				return err
			}
			session := store.Session{ID: newID(), UserID: user.ID, DeviceID: device.ID}
			if err := tx.CreateSession(&session); err != nil {
				return err
			}
			sessions = append(sessions, session.ID)
			setBy = user.ID
		}
		for _, key := range []string{"cash_balance", "vault_count", "keys_issued"} {
			value := store.ReferenceValue{ID: newID(), SiteID: site.ID, Key: key,
				Day: time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly), Value: 1, Source: "admin", SetBy: setBy}
			if err := tx.PutReferenceValue(&value, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, ctx, sessions, site.ID
}

// BenchmarkGroupWrites times what a group of pushes of whole inspections
// writes and reads around its media, on groups of 1 to 16 pushes in turn
// (paced load makes groups of every size), in a fresh database: the
// inspections' insert (their foreign-key probes: four per inspection
// before migration 00360, three after), a signature declared for each (two
// probes, one after), the media lookup by inspection and id, the media
// links' update (both one statement text per number of ids) and the
// started and submitted events. One op is one size, in one transaction.
// Besides the wall time (mostly the commit's fsync) it reports the CPU
// the database's backends spent per op (backend-CPU-ms/op, from /proc:
// PostgreSQL on this machine), the figure that does not wait for the disk.
//
// Two ways of linking the signatures to their submitted inspections, each a
// sub-benchmark: links=update is the UPDATE after the insert
// (store.LinkMedia), which writes a second version of each row the
// transaction inserted and re-checks its foreign key; links=insert sets
// linked_at in the insert, as a group does since branch batch17 when the
// inspection and the media it names are all new in the group.
//
//	go run ./cmd/testrun -run '^$' -bench GroupWrites -benchtime 400x ./internal/store/
func BenchmarkGroupWrites(b *testing.B) {
	db, ctx, owners, devices, site := groupWritesFixture(b)
	for _, atInsert := range []bool{false, true} {
		name := "links=update"
		if atInsert {
			name = "links=insert"
		}
		b.Run(name, func(b *testing.B) { groupWrites(b, db, ctx, owners, devices, site, atInsert) })
	}
}

func groupWrites(b *testing.B, db *store.DB, ctx context.Context, owners, devices []string, site string, atInsert bool) {
	size := 0
	cpu := startBackendCPU(b, db)
	for b.Loop() {
		size = size%16 + 1
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var inspections []*store.Inspection
			var media []*store.Media
			var events []store.InspectionEvent
			var inspectionIDs, mediaIDs []string
			named := map[string][]string{}
			for i := range size {
				id, signature := newID(), newID()
				inspections = append(inspections, &store.Inspection{ID: id, SiteID: site, TemplateID: site,
					TemplateKey: "night-patrol-round", TemplateVersion: 1, OwnerID: owners[i], DeviceID: devices[i],
					Status: "submitted", Answers: []byte("{}"), Context: []byte("{}"), Version: 2})
				media = append(media, &store.Media{ID: signature, InspectionID: id, ItemKey: "signature", Kind: "signature",
					DeclaredType: "image/png", Size: 1000, SHA256: fmt.Sprintf("%064x", i), ObjectKey: signature,
					Status: "pending", UploadedBy: owners[i], Version: 1})
				for _, kind := range []string{"started", "submitted"} {
					events = append(events, store.InspectionEvent{ID: newID(), InspectionID: id, Kind: kind, ActorID: owners[i]})
				}
				inspectionIDs, mediaIDs = append(inspectionIDs, id), append(mediaIDs, signature)
				named[id] = []string{signature}
			}
			if _, _, _, err := tx.MediaOfInspections(inspectionIDs, mediaIDs, nil); err != nil {
				return err
			}
			if err := tx.CreateInspections(inspections); err != nil {
				return err
			}
			if atInsert {
				for _, row := range media {
					row.LinkedAt = &tx.Now
				}
			}
			if err := tx.CreateMediaRows(media); err != nil {
				return err
			}
			if err := tx.AddInspectionEvents(events); err != nil {
				return err
			}
			if atInsert {
				return nil
			}
			return tx.LinkMedia(named)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// backendCPU is the CPU the backends of a benchmark's database have used
// since it started, read from /proc (PostgreSQL runs on this machine).
type backendCPU struct {
	db    *store.DB
	start map[int]time.Duration
}

func startBackendCPU(b *testing.B, db *store.DB) *backendCPU {
	b.Helper()
	return &backendCPU{db: db, start: backendTimes(b, db)}
}

// report adds backend-CPU-ms/op to the benchmark's figures.
func (c *backendCPU) report(b *testing.B) {
	b.Helper()
	var used time.Duration
	for pid, now := range backendTimes(b, c.db) {
		used += now - c.start[pid]
	}
	b.ReportMetric(float64(used)/float64(time.Millisecond)/float64(b.N), "backend-CPU-ms/op")
}

// backendTimes is user + system CPU of each backend connected to db's
// database, by process id.
func backendTimes(b *testing.B, db *store.DB) map[int]time.Duration {
	b.Helper()
	rows, err := db.SQL().Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone since: its time is lost to both readings
		}
		// Fields after the command's closing parenthesis; utime and stime
		// are the 12th and 13th of them, in clock ticks (100 a second).
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		user, _ := strconv.Atoi(fields[11])
		system, _ := strconv.Atoi(fields[12])
		out[pid] = time.Duration(user+system) * 10 * time.Millisecond
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// groupWritesFixture is groupLookupsFixture's organisation and site, with
// the owners and devices of its 16 guards.
func groupWritesFixture(b *testing.B) (db *store.DB, ctx context.Context, owners, devices []string, site string) {
	db, ctx, _, site = groupLookupsFixture(b)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		all, _, err := tx.ListDevices(store.DeviceFilter{}, store.Page{Limit: 100})
		for _, device := range all {
			if device.UserID != nil {
				owners, devices = append(owners, *device.UserID), append(devices, device.ID)
			}
		}
		return err
	})
	if err != nil || len(devices) != 16 {
		b.Fatalf("%d devices, %v", len(devices), err)
	}
	return db, ctx, owners, devices, site
}

// BenchmarkGroupPushes times the statements of a group of pushes that the
// load tool's 30-answer inspection makes, as far as the two tables of
// issue 17's branch pg17b go: each push claims and looks up its 40
// mutation ids and stores their results (push_results and its GIN
// index), and declares 8 media with digests of random bytes, linked at
// insert (media and its indexes), besides the inspection and its two
// events. Groups of 1 to 16 pushes in turn, one transaction each; one op
// is one group (8.5 pushes on average). Before it times anything it
// stores 512 groups and analyzes the tables each time they double, as the
// statistics job does (store.RefreshStatistics): on young tables that nothing
// analyzed, the plans cached for the first tiny tables decide the figure
// (sequential scans of push_results and media). It reports the backends'
// CPU per op (backend-CPU-ms/op, from /proc), the figure that does not
// wait for the disk. "wide" stores the load tool's answers, evaluation
// and change-log entry for each inspection (the tail's change insert,
// its counter and TOAST), "empty answers" none of them.
//
//	go run ./cmd/testrun -run '^$' -bench GroupPushes -benchtime 400x ./internal/store/
func BenchmarkGroupPushes(b *testing.B) {
	b.Run("empty answers", func(b *testing.B) { groupPushes(b, nil) })
	b.Run("wide", func(b *testing.B) { groupPushes(b, wideInspection(b)) })
}

// wide is what a submitted 30-answer inspection of the load tool stores
// beside its ids (testdata/wide_inspection): its answers, its evaluation
// and its change-log entry, which are what goes over PostgreSQL's TOAST
// threshold (migration 00383).
type wide struct{ answers, evaluation, change []byte }

func wideInspection(b *testing.B) *wide {
	var w wide
	for name, to := range map[string]*[]byte{"answers": &w.answers, "evaluation": &w.evaluation, "change": &w.change} {
		raw, err := os.ReadFile("testdata/wide_inspection/" + name + ".json")
		if err != nil {
			b.Fatal(err)
		}
		*to = raw
	}
	return &w
}

// groupPushes is BenchmarkGroupPushes with empty answers (w nil) or with
// w's answers, evaluation and change-log entry for each inspection.
func groupPushes(b *testing.B, w *wide) {
	db, ctx, owners, devices, site := groupWritesFixture(b)
	size := 0
	group := func() {
		size = size%16 + 1
		if err := db.InTx(ctx, func(tx *store.Tx) error { return pushGroup(tx, size, owners, devices, site, w) }); err != nil {
			b.Fatal(err)
		}
	}
	for n := 1; n <= 512; n++ {
		group()
		if n >= 16 && n&(n-1) == 0 { // each time the tables double, as the statistics job
			if _, err := db.SQL().ExecContext(ctx, "ANALYZE push_results, media, inspections, inspection_events"); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu := startBackendCPU(b, db)
	for b.Loop() {
		group()
	}
	cpu.report(b)
}

// pushGroup writes what size pushes of whole inspections write to the
// tables BenchmarkGroupPushes times, in tx.
func pushGroup(tx *store.Tx, size int, owners, devices []string, site string, w *wide) error {
	var inspections []*store.Inspection
	var media []*store.Media
	var events []store.InspectionEvent
	var results []store.Mutation
	var scopes []store.MutationScope
	var inspectionIDs, mediaIDs, digests, mutationIDs []string
	for i := range size {
		id := newID()
		scopes = append(scopes, store.MutationScope{DeviceID: devices[i], UserID: owners[i]})
		inspections = append(inspections, &store.Inspection{ID: id, SiteID: site, TemplateID: site,
			TemplateKey: "night-patrol-round", TemplateVersion: 1, OwnerID: owners[i], DeviceID: devices[i],
			Status: "submitted", Answers: []byte("{}"), Context: []byte("{}"), Version: 2})
		if w != nil {
			inspections[i].Answers, inspections[i].Evaluation = w.answers, w.evaluation
			tx.RecordChange(store.Change{EntityType: "inspection", EntityID: id, Op: "upsert", Version: 2,
				Audience: store.AudienceOwner, SiteID: &site, OwnerID: &owners[i], Data: w.change, Fresh: true})
		}
		for range 8 {
			medium, digest := newID(), fmt.Sprintf("%x", sha256.Sum256([]byte(newID())))
			media = append(media, &store.Media{ID: medium, InspectionID: id, ItemKey: "photo", Kind: "photo",
				DeclaredType: "image/jpeg", Size: 1000, SHA256: digest, ObjectKey: medium, Status: "pending",
				UploadedBy: owners[i], LinkedAt: &tx.Now, Version: 1})
			mediaIDs, digests = append(mediaIDs, medium), append(digests, digest)
		}
		for _, kind := range []string{"started", "submitted"} {
			events = append(events, store.InspectionEvent{ID: newID(), InspectionID: id, Kind: kind, ActorID: owners[i]})
		}
		for m := range 40 {
			mutation := newID()
			hash := sha256.Sum256([]byte(mutation))
			results = append(results, store.Mutation{MutationID: mutation, UserID: owners[i], DeviceID: devices[i],
				Type: "answer.set", EntityID: &id, Status: "applied", BodyHash: hash[:], ClientTime: &tx.Now,
				Result: fmt.Appendf(nil, `{"mutation_id":"%s","status":"applied","entity_id":"%s","version":%d}`,
					mutation, id, m+1)})
			mutationIDs = append(mutationIDs, mutation)
		}
		inspectionIDs = append(inspectionIDs, id)
	}
	if found, err := tx.ClaimMutations(mutationIDs, scopes); err != nil || len(found) != 0 {
		return fmt.Errorf("found %d stored results: %v", len(found), err)
	}
	if _, _, _, err := tx.MediaOfInspections(inspectionIDs, mediaIDs, digests); err != nil {
		return err
	}
	if err := tx.CreateInspections(inspections); err != nil {
		return err
	}
	if err := tx.CreateMediaRows(media); err != nil {
		return err
	}
	if err := tx.AddInspectionEvents(events); err != nil {
		return err
	}
	return tx.InsertMutations(results)
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A transaction that defers its writes means the same as one that does
// not: a read after a deferred write sees it (the write goes first, in the
// read's pipeline or alone), a deferred write that fails fails the
// transaction with its own error's kind and leaves nothing written, a
// failed transaction's connection goes back to the pool usable, and the
// writes cost one round trip with the statement after them.
func TestDeferredWritesKeepTheirPlaceAndTheirErrors(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "deferred")
		scope := store.MutationScope{DeviceID: newID(), UserID: newID()}
		push := func(ids ...string) []store.Mutation {
			rows := make([]store.Mutation, len(ids))
			for i, id := range ids {
				rows[i] = store.Mutation{MutationID: id, DeviceID: scope.DeviceID, UserID: scope.UserID,
					Type: "answer.set", Result: fmt.Appendf(nil, `{"mutation_id":%q}`, id)}
			}
			return rows
		}

		// Written, then read in the same transaction: the read sees it.
		first := newID()
		counted, statements := store.CountStatements(ctx)
		err := db.InTx(counted, func(tx *store.Tx) error {
			tx.DeferWrites()
			if err := tx.InsertMutations(push(first)); err != nil {
				return err
			}
			found, err := tx.ClaimMutations([]string{first}, []store.MutationScope{scope})
			if err != nil {
				return err
			}
			if len(found) != 1 || found[0].MutationID != first {
				t.Errorf("a claim after a deferred write in its transaction found %+v, want the write", found)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == store.Postgres {
			// BEGIN with the insert (held for the next statement), the
			// locks and the lookup: one round trip; COMMIT is not counted.
			if n, trips := statements.Len(), statements.RoundTrips(); n != 4 || trips != 1 {
				t.Errorf("sent %d statements in %d round trips, want 4 in 1: %q", n, trips, statements.Texts())
			}
		}

		// A deferred write that fails (an inspection of a site that does
		// not exist) fails the transaction with the error it gives when it
		// is not deferred, though the statement it went with was another's,
		// and the write before it in the same transaction is not kept.
		second := newID()
		failing := func(deferred bool) error {
			return db.InTx(ctx, func(tx *store.Tx) error {
				if deferred {
					tx.DeferWrites()
				}
				if err := tx.InsertMutations(push(second)); err != nil {
					return err
				}
				orphan := &store.Inspection{ID: newID(), SiteID: newID(), TemplateID: newID(), TemplateKey: "none",
					TemplateVersion: 1, OwnerID: newID(), DeviceID: scope.DeviceID, Status: "in_progress",
					Answers: []byte("{}"), Context: []byte("{}"), Version: 1}
				if err := tx.CreateInspections([]*store.Inspection{orphan}); err != nil {
					return err
				}
				_, err := tx.ClaimMutations([]string{second}, []store.MutationScope{scope})
				return err
			})
		}
		alone, deferred := failing(false), failing(true)
		if alone == nil || deferred == nil {
			t.Fatalf("a transaction whose write failed committed: alone %v, deferred %v", alone, deferred)
		}
		if errs.KindOf(alone) != errs.KindOf(deferred) || !strings.Contains(deferred.Error(), "inspection") {
			t.Errorf("an inspection of no site, deferred: %v; alone: %v; want the same kind and cause", deferred, alone)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			found, err := tx.ClaimMutations([]string{second}, []store.MutationScope{scope})
			if err == nil && len(found) != 0 {
				err = errors.New("the deferred write of a failed transaction was kept")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		// Many failed transactions in a row: each one's connection went back
		// to the pool out of its transaction (a connection still inside one
		// would make the next transaction's BEGIN a warning and its writes
		// part of the failed one).
		for i := range 50 {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				tx.DeferWrites()
				if err := tx.InsertMutations(push(newID())); err != nil {
					return err
				}
				return fmt.Errorf("give up %d", i)
			})
			if err == nil {
				t.Fatal("a transaction that gave up committed")
			}
		}
		third := newID()
		if err := db.InTx(ctx, func(tx *store.Tx) error { tx.DeferWrites(); return tx.InsertMutations(push(third)) }); err != nil {
			t.Fatal(err)
		}
		err = db.InTx(context.Background(), func(tx *store.Tx) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		var found []store.Mutation
		err = db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			found, err = tx.ClaimMutations([]string{first, second, third}, []store.MutationScope{scope})
			return err
		})
		if err != nil || len(found) != 2 {
			t.Fatalf("after the failed transactions the claim found %d of the two kept writes (%v)", len(found), err)
		}
	})
}

// Prefetch's reads answer what the single readers answer, on both
// dialects: a claim's stored results, the organisation's inspections by id and the ids another
// organisation holds, media of inspections and by id with their stored
// twins, sites by id (one of another organisation and one of nobody
// absent), and the reference data of sites for days (another
// organisation's site has none), all in one round trip on PostgreSQL.
func TestPrefetchAnswersWhatTheSingleReadersDo(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		type made struct {
			site, user, device string
			key                string
			inspections        []string
			media, digests     []string
			mutations          []string
		}
		// One organisation's site, guard, phone, two inspections and three
		// media, two of them stored with the same bytes.
		fill := func(ctx context.Context, slug string) made {
			var m made
			err := db.InTx(ctx, func(tx *store.Tx) error {
				site := store.Site{ID: newID(), Code: "S", Name: "Site", Timezone: "Asia/Shanghai", Active: true}
				if err := tx.CreateSite(&site); err != nil {
					return err
				}
				user := store.User{ID: newID(), Email: "guard@" + slug + ".test", Name: "guard", Role: "guard",
					PasswordHash: "x", Active: true, SiteIDs: []string{site.ID}}
				if err := tx.CreateUser(&user); err != nil {
					return err
				}
				key := store.UserKey{ID: newID(), UserID: user.ID, Algorithm: "ed25519", PublicKey: "key of " + slug, Name: "phone"}
				if err := tx.CreateUserKey(&key); err != nil {
					return err
				}
				device := store.Device{ID: newID(), DeviceKey: slug, Name: "phone", Platform: "android", UserID: &user.ID, Active: true}
				if err := tx.CreateDevice(&device); err != nil {
					return err
				}
				m = made{site: site.ID, user: user.ID, device: device.ID, key: key.ID}
				var rows []*store.Inspection
				var media []*store.Media
				for i := range 2 {
					id := newID()
					rows = append(rows, &store.Inspection{ID: id, SiteID: site.ID, TemplateID: newID(), TemplateKey: "round",
						TemplateVersion: 1, OwnerID: user.ID, DeviceID: device.ID, Status: "in_progress",
						Answers: []byte(`{"a":1}`), Context: []byte("{}"), Version: int64(i + 1)})
					m.inspections = append(m.inspections, id)
				}
				digest := fmt.Sprintf("%064x", len(slug))
				for i, status := range []string{"stored", "stored", "pending"} {
					id := newID()
					now := tx.Now
					media = append(media, &store.Media{ID: id, InspectionID: m.inspections[i%2], ItemKey: "photo", Kind: "photo",
						DeclaredType: "image/jpeg", ContentType: "image/jpeg", Size: 1000, SHA256: digest, ObjectKey: id,
						Status: status, UploadedBy: user.ID, StoredAt: &now, Version: 1})
					m.media = append(m.media, id)
				}
				m.digests = []string{digest}
				var results []store.Mutation
				for range 3 {
					id := newID()
					results = append(results, store.Mutation{MutationID: id, DeviceID: device.ID, UserID: user.ID,
						Type: "answer.set", Result: fmt.Appendf(nil, `{"mutation_id":%q}`, id)})
					m.mutations = append(m.mutations, id)
				}
				if err := tx.CreateInspections(rows); err != nil {
					return err
				}
				if err := tx.CreateMediaRows(media); err != nil {
					return err
				}
				// Reference data: values of three days (one not asked
				// for) and assets, one inactive, in no order.
				for i, day := range []string{"2026-12-05", "2026-12-06", "2026-12-07"} {
					for _, key := range []string{"vault_cash", "atm_cash"} {
						value := store.ReferenceValue{ID: newID(), SiteID: site.ID, Key: key, Day: day, Value: float64(100*i) + 0.5,
							Unit: "CNY", Source: "admin", SetBy: user.ID}
						if err := tx.PutReferenceValue(&value, 0); err != nil {
							return err
						}
					}
				}
				for i, asset := range []struct {
					kind, code string
					active     bool
				}{{"vehicle", "B-2", true}, {"camera", "C-1", true}, {"vehicle", "B-1", true}, {"vehicle", "B-0", false}} {
					row := store.Asset{ID: newID(), SiteID: site.ID, Kind: asset.kind, Code: asset.code, Name: "asset",
						IDNumber: fmt.Sprint(i), Details: []byte("{}"), Active: asset.active}
					if err := tx.CreateAsset(&row); err != nil {
						return err
					}
				}
				return tx.InsertMutations(results)
			})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		ctx := mustOrg(t, db, "prefetch")
		mine := fill(ctx, "prefetch")
		theirs := fill(mustOrg(t, db, "prefetch-other"), "prefetch-other")

		inspections := append(append([]string{newID()}, mine.inspections...), theirs.inspections[0])
		mediaOf := mine.inspections[:1]
		mediaIDs := append([]string{mine.media[2]}, theirs.media[0])
		sites := []string{mine.site, theirs.site, newID()}
		claim := append([]string{newID()}, mine.mutations[1:]...)
		days := []string{"2026-12-05", "2026-12-06"}
		scopes := []store.MutationScope{{DeviceID: mine.device, UserID: mine.user}}
		users := []string{mine.user, theirs.user, newID()}
		keys := []string{mine.key, theirs.key, newID()}
		type answers struct {
			Users            map[string]store.User
			Keys             map[string]store.UserKey
			Values           map[string][]store.ReferenceValue // by site and day
			Assets           map[string][]store.Asset          // by site
			Claimed          []store.Mutation
			Inspections      map[string]store.Inspection
			InspectionsTaken []string
			Media            []store.Media
			MediaTaken       []string
			Twins            map[string]store.Media
			Sites            map[string]store.Site
		}
		var alone, together answers
		counted, statements := store.CountStatements(ctx)
		err := db.InTx(counted, func(tx *store.Tx) error {
			var err error
			if alone.Claimed, err = tx.ClaimMutations(claim, scopes); err != nil {
				return err
			}
			if alone.Inspections, alone.InspectionsTaken, err = tx.InspectionsByID(inspections); err != nil {
				return err
			}
			if alone.Media, alone.MediaTaken, alone.Twins, err = tx.MediaOfInspections(mediaOf, mediaIDs, mine.digests); err != nil {
				return err
			}
			alone.Values, alone.Assets = map[string][]store.ReferenceValue{}, map[string][]store.Asset{}
			for _, site := range []string{mine.site, theirs.site} {
				for _, day := range days {
					values, assets, err := tx.SiteReferenceData(site, day)
					if err != nil {
						return err
					}
					alone.Values[site+" "+day] = values
					alone.Assets[site] = assets
				}
			}
			alone.Sites = map[string]store.Site{}
			for _, id := range sites {
				if site, err := tx.Site(id); err == nil {
					alone.Sites[id] = site
				} else if !errs.Is(err, errs.NotFound) {
					return err
				}
			}
			alone.Users, alone.Keys = map[string]store.User{}, map[string]store.UserKey{}
			for _, id := range users {
				if user, err := tx.User(id); err == nil {
					alone.Users[id] = user
				} else if !errs.Is(err, errs.NotFound) {
					return err
				}
			}
			for _, id := range keys {
				if key, err := tx.UserKey(id); err == nil {
					alone.Keys[id] = key
				} else if !errs.Is(err, errs.NotFound) {
					return err
				}
			}
			before := statements.RoundTrips()
			tx.DeferWrites() // the claim's locks go with the reads
			reads := tx.Prefetch()
			err = reads.ClaimMutations(claim, scopes, func(found []store.Mutation) { together.Claimed = found })
			if err != nil {
				return err
			}
			reads.InspectionsByID(inspections, func(rows map[string]store.Inspection, taken []string) {
				together.Inspections, together.InspectionsTaken = rows, taken
			})
			reads.MediaOfInspections(mediaOf, mediaIDs, mine.digests, func(rows []store.Media, taken []string, twins map[string]store.Media) {
				together.Media, together.MediaTaken, together.Twins = rows, taken, twins
			})
			reads.Sites(sites, func(found map[string]store.Site) { together.Sites = found })
			reads.Users(users, func(found map[string]store.User) { together.Users = found })
			reads.UserKeys(keys, func(found map[string]store.UserKey) { together.Keys = found })
			reads.SiteReferenceData([]string{mine.site, theirs.site}, days, func(values []store.ReferenceValue, assets []store.Asset) {
				together.Values, together.Assets = map[string][]store.ReferenceValue{}, map[string][]store.Asset{}
				for _, site := range []string{mine.site, theirs.site} {
					for _, day := range days {
						together.Values[site+" "+day] = nil
					}
					together.Assets[site] = nil
				}
				for _, v := range values {
					together.Values[v.SiteID+" "+v.Day] = append(together.Values[v.SiteID+" "+v.Day], v)
				}
				for _, a := range assets {
					together.Assets[a.SiteID] = append(together.Assets[a.SiteID], a)
				}
			})
			if err := reads.Run(); err != nil {
				return err
			}
			if trips := statements.RoundTrips() - before; db.Dialect() == store.Postgres && trips != 1 {
				t.Errorf("the prefetch took %d round trips, want 1", trips)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sortMedia := func(rows []store.Media) {
			slices.SortFunc(rows, func(a, b store.Media) int { return strings.Compare(a.ID, b.ID) })
		}
		sortMedia(alone.Media)
		sortMedia(together.Media)
		for _, claimed := range [][]store.Mutation{alone.Claimed, together.Claimed} {
			slices.SortFunc(claimed, func(a, b store.Mutation) int { return strings.Compare(a.MutationID, b.MutationID) })
		}
		if len(alone.Values[mine.site+" 2026-12-06"]) != 2 || len(alone.Assets[mine.site]) != 3 ||
			len(alone.Values[theirs.site+" 2026-12-06"]) != 0 || len(alone.Claimed) != 2 || len(alone.Inspections) != 2 || len(alone.InspectionsTaken) != 1 || len(alone.Media) != 2 ||
			len(alone.MediaTaken) != 1 || len(alone.Twins) != 1 || len(alone.Sites) != 1 ||
			len(alone.Users) != 1 || len(alone.Users[mine.user].SiteIDs) != 1 || len(alone.Keys) != 1 {
			t.Fatalf("the fixture is not what the test is about: %+v", alone)
		}
		if !reflect.DeepEqual(alone, together) {
			t.Errorf("the single readers answered\n%+v\nthe prefetch\n%+v", alone, together)
		}
	})
}

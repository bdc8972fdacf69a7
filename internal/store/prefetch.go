package store

import (
	"strings"

	"github.com/jackc/pgx/v5"
)

// Prefetch gathers a working set's reads that do not depend on each other
// (the inspections a group of pushes names, their media, the sites its
// inspections start at) and runs them together: on PostgreSQL in one
// pipeline, with whatever the transaction has queued, so that they cost
// one round trip instead of one each (issue 17: a push group's fixed cost
// is its round trips). On SQLite they run one after another, as the
// single readers do. Each read hands its rows to its callback during Run,
// in the order the reads were added; the callbacks see exactly what the
// single readers (InspectionsByID, MediaOfInspections, Site) return.
type Prefetch struct {
	tx    *Tx
	reads []prefetchRead
}

// prefetchRead is one query of a Prefetch: how PostgreSQL runs it in a
// pipeline, and how it runs alone.
type prefetchRead struct {
	query string
	args  []any
	rows  func(pgx.Rows) error
	alone func() error
}

// Prefetch starts a set of reads to run together.
func (tx *Tx) Prefetch() *Prefetch { return &Prefetch{tx: tx} }

// Run runs the reads added, then forgets them.
func (f *Prefetch) Run() error {
	reads := f.reads
	f.reads = nil
	p := f.tx.pipelined()
	if p == nil {
		for _, r := range reads {
			if err := r.alone(); err != nil {
				return err
			}
		}
		return nil
	}
	queries := make([]queuedStatement, len(reads))
	for i, r := range reads {
		queries[i] = queuedStatement{sql: f.tx.placeholders(r.query), args: r.args, rows: r.rows}
	}
	return translate("store.Prefetch", f.tx.driverError(p.queries(f.tx.gorm.Statement.Context, queries)))
}

// InspectionsByID adds InspectionsByID's read; into gets its answer.
func (f *Prefetch) InspectionsByID(ids []string, into func(rows map[string]Inspection, taken []string)) {
	tx := f.tx
	query, args := "SELECT * FROM inspections WHERE id IN ?", []any{ids}
	if tx.db.dialect == Postgres { // a probe of the primary key per id, on a young table too (byIDs)
		query, args = byIDsQuery("inspections"), []any{byIDsArg(ids)}
	}
	f.reads = append(f.reads, prefetchRead{
		query: query, args: args,
		rows: func(rows pgx.Rows) error {
			found, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Inspection])
			if err != nil {
				return err
			}
			into(ofOrg(tx, found, func(r Inspection) (string, string) { return r.ID, r.OrgID }))
			return nil
		},
		alone: func() error {
			rows, taken, err := tx.InspectionsByID(ids)
			if err == nil {
				into(rows, taken)
			}
			return err
		},
	})
}

// MediaOfInspections adds MediaOfInspections' read; into gets its answer.
func (f *Prefetch) MediaOfInspections(inspectionIDs, ids, sha256s []string,
	into func(rows []Media, taken []string, twins map[string]Media)) {
	tx := f.tx
	query, args := mediaOfInspectionsQuery(tx.orgOf(), inspectionIDs, ids, sha256s)
	if query == "" {
		into(nil, nil, map[string]Media{})
		return
	}
	f.reads = append(f.reads, prefetchRead{
		query: expandLists(query, args), args: flatten(args),
		rows: func(rows pgx.Rows) error {
			found, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[mediaOrTwin])
			if err != nil {
				return err
			}
			into(splitMediaAndTwins(tx.orgOf(), found))
			return nil
		},
		alone: func() error {
			rows, taken, twins, err := tx.MediaOfInspections(inspectionIDs, ids, sha256s)
			if err == nil {
				into(rows, taken, twins)
			}
			return err
		},
	})
}

// Sites adds the read of the caller's organisation's sites by id; into
// gets those found, by id (an id naming none is absent, as Site's
// NotFound).
func (f *Prefetch) Sites(ids []string, into func(map[string]Site)) {
	tx := f.tx
	in, value := tx.anyOf("id", "uuid[]", ids)
	f.reads = append(f.reads, prefetchRead{
		query: "SELECT * FROM sites WHERE org_id = ? AND " + in, args: []any{tx.orgOf(), value},
		rows: func(rows pgx.Rows) error {
			found, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Site])
			if err != nil {
				return err
			}
			into(sitesByID(found))
			return nil
		},
		alone: func() error {
			var found []Site
			err := tx.scoped("sites").Where(in, value).Find(&found).Error
			if err != nil {
				return translate("store.Sites", err)
			}
			into(sitesByID(found))
			return nil
		},
	})
}

// sitesByID is found by id.
func sitesByID(found []Site) map[string]Site {
	sites := make(map[string]Site, len(found))
	for _, s := range found {
		sites[s.ID] = s
	}
	return sites
}

// Users adds the read of the caller's organisation's users by id, with
// their sites; into gets those found, by id, as User answers each (an id
// naming none is absent, as User's NotFound). Two queries: the users and
// their sites.
func (f *Prefetch) Users(ids []string, into func(map[string]User)) {
	tx := f.tx
	found := make(map[string]User, len(ids))
	in, value := tx.anyOf("id", "uuid[]", ids)
	ofUsers, usersValue := tx.anyOf("user_id", "uuid[]", ids)
	f.reads = append(f.reads, prefetchRead{
		query: "SELECT " + userColumns + " FROM users WHERE org_id = ? AND " + in, args: []any{tx.orgOf(), value},
		rows: func(rows pgx.Rows) error {
			users, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[User])
			for _, u := range users {
				found[u.ID] = u
			}
			return err
		},
		alone: func() error {
			var users []User
			if err := tx.scoped("users").Where(in, value).Find(&users).Error; err != nil {
				return translate("store.Users", err)
			}
			for _, u := range users {
				found[u.ID] = u
			}
			return nil
		},
	}, prefetchRead{
		query: "SELECT user_id, site_id FROM user_sites WHERE org_id = ? AND " + ofUsers, args: []any{tx.orgOf(), usersValue},
		rows: func(rows pgx.Rows) error {
			sites := map[string][]string{}
			err := eachRow(rows, func(scan func(dest ...any) error) error {
				var user, site string
				err := scan(&user, &site)
				sites[user] = append(sites[user], site)
				return err
			})
			if err == nil {
				into(withSites(found, sortedSites(sites)))
			}
			return err
		},
		alone: func() error {
			sites, err := tx.sitesOfUsers(ids)
			if err == nil {
				into(withSites(found, sites))
			}
			return err
		},
	})
}

// userColumns are User's columns, SiteIDs aside.
const userColumns = "id, org_id, email, name, role, password_hash, active, version, created_at, updated_at"

// withSites gives each user of users its sites.
func withSites(users map[string]User, sites map[string][]string) map[string]User {
	for id, u := range users {
		u.SiteIDs = sites[id]
		users[id] = u
	}
	return users
}

// UserKeys adds the read of the caller's organisation's keys by id; into
// gets those found, by id (an id naming none is absent, as UserKey's
// NotFound).
func (f *Prefetch) UserKeys(ids []string, into func(map[string]UserKey)) {
	tx := f.tx
	in, value := tx.anyOf("id", "uuid[]", ids)
	byID := func(keys []UserKey) map[string]UserKey {
		found := make(map[string]UserKey, len(keys))
		for _, k := range keys {
			found[k.ID] = k
		}
		return found
	}
	f.reads = append(f.reads, prefetchRead{
		query: "SELECT " + userKeyColumns + " FROM user_keys WHERE org_id = ? AND " + in, args: []any{tx.orgOf(), value},
		rows: func(rows pgx.Rows) error {
			keys, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[UserKey])
			if err == nil {
				into(byID(keys))
			}
			return err
		},
		alone: func() error {
			var keys []UserKey
			if err := tx.scoped("user_keys").Where(in, value).Find(&keys).Error; err != nil {
				return translate("store.UserKeys", err)
			}
			into(byID(keys))
			return nil
		},
	})
}

// userKeyColumns are UserKey's columns.
const userKeyColumns = "id, org_id, user_id, device_id, algorithm, public_key, name, created_at, revoked_at"

// CallersBySession adds CallersBySession's read; into gets its answer.
func (f *Prefetch) CallersBySession(sessionIDs []string, into func(map[string]Caller)) {
	tx := f.tx
	query, args := tx.callersBySessionQuery(sessionIDs)
	f.reads = append(f.reads, prefetchRead{query: query, args: args,
		rows: func(rows pgx.Rows) error {
			found := make(map[string]Caller, len(sessionIDs))
			err := eachRow(rows, func(scan func(dest ...any) error) error {
				id, c, err := scanCaller(scan)
				found[id] = c
				return err
			})
			if err == nil {
				into(found)
			}
			return err
		},
		alone: func() error {
			found, err := tx.CallersBySession(sessionIDs)
			if err == nil {
				into(found)
			}
			return err
		}})
}

// ClaimMutations takes ClaimMutations' locks (deferred, when the
// transaction defers its writes) and adds its lookup, which runs after
// them; into gets its answer.
func (f *Prefetch) ClaimMutations(ids []string, scopes []MutationScope, into func([]Mutation)) error {
	tx := f.tx
	if f.tx.pipelined() == nil {
		f.reads = append(f.reads, prefetchRead{alone: func() error {
			found, err := tx.ClaimMutations(ids, scopes)
			if err == nil {
				into(found)
			}
			return err
		}})
		return nil
	}
	if err := tx.lockScopes(scopes); err != nil {
		return err
	}
	if len(scopes) == 0 {
		scopes = nil // every device's and user's, as ClaimMutations
	}
	read := tx.storedResults(ids, scopes)
	if read == nil {
		into(nil)
		return nil
	}
	f.reads = append(f.reads, prefetchRead{query: read.query, args: read.args,
		rows: func(rows pgx.Rows) error {
			err := eachRow(rows, read.row)
			if err == nil {
				into(read.found)
			}
			return err
		}})
	return nil
}

// SiteReferenceData adds the read of what SiteReferenceData answers for
// each of sites and each of days at once; into gets the values of every
// site and day asked for and the active assets of every site, in kind and
// code order within each site.
func (f *Prefetch) SiteReferenceData(sites, days []string, into func(values []ReferenceValue, assets []Asset)) {
	tx := f.tx
	org := tx.orgOf()
	inSites, siteValues := tx.anyOf("site_id", "uuid[]", sites)
	inDays, dayValues := tx.anyOf("day", "text[]", days)
	query := `SELECT 0, site_id, key, value, day, '', '' FROM reference_values WHERE org_id = ? AND ` + inSites + ` AND ` + inDays + `
UNION ALL
SELECT 1, site_id, kind, 0, '', code, id_number FROM assets WHERE org_id = ? AND ` + inSites + ` AND active = ?
ORDER BY 1, 2, 3, 6`
	var values []ReferenceValue
	var assets []Asset
	row := func(scan func(dest ...any) error) error {
		var source int
		var site, key, day, code, idNumber string
		var value float64
		if err := scan(&source, &site, &key, &value, &day, &code, &idNumber); err != nil {
			return err
		}
		if source == 0 {
			values = append(values, ReferenceValue{OrgID: org, SiteID: site, Key: key, Day: day, Value: value})
		} else {
			assets = append(assets, Asset{OrgID: org, SiteID: site, Kind: key, Code: code, IDNumber: idNumber, Active: true})
		}
		return nil
	}
	args := []any{org, siteValues, dayValues, org, siteValues, true}
	f.reads = append(f.reads, prefetchRead{query: query, args: args,
		rows: func(rows pgx.Rows) error {
			err := eachRow(rows, row)
			if err == nil {
				into(values, assets)
			}
			return err
		},
		alone: func() error {
			if err := tx.queryRows(expandLists(query, args), flatten(args), row); err != nil {
				return translate("store.SiteReferenceData", err)
			}
			into(values, assets)
			return nil
		}})
}

// expandLists writes out each ? whose argument is a list as one ? per
// element, as gorm does for IN ?: the media lookup's texts list their ids
// (see MediaOfInspections).
func expandLists(query string, args []any) string {
	var out strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			out.WriteByte(query[i])
			continue
		}
		if list, ok := args[n].([]string); ok {
			out.WriteByte('(')
			out.WriteString(strings.TrimSuffix(strings.Repeat("?,", len(list)), ","))
			out.WriteByte(')')
		} else {
			out.WriteByte('?')
		}
		n++
	}
	return out.String()
}

// flatten is args with each list's elements in its place (expandLists).
func flatten(args []any) []any {
	var out []any
	for _, a := range args {
		if list, ok := a.([]string); ok {
			for _, v := range list {
				out = append(out, v)
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

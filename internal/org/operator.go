package org

import (
	"context"
	"regexp"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// CreateOrg makes a tenant (operator command: `patrolsync org create`).
func (s *Service) CreateOrg(ctx context.Context, slug, name string) (Org, error) {
	const op = "org.CreateOrg"
	fields := map[string]string{}
	if !slugPattern.MatchString(slug) {
		fields["/slug"] = "2-63 lowercase letters, digits and dashes"
	}
	checkText(fields, "/name", name, true, 200)
	if len(fields) > 0 {
		return Org{}, errs.Fields(op, fields)
	}
	o := store.Org{ID: uuid.Must(uuid.NewV7()).String(), Slug: slug, Name: name}
	// The seeders write as the new organisation's administrator, in the
	// same transaction: an organisation exists with its content or not at all.
	ctx = principal.AsSystem(ctx, o.ID, "operator.org_create")
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrg(&o); err != nil {
			return err
		}
		return s.runSeeders(ctx, tx)
	})
	if errs.Is(err, errs.Conflict) {
		return Org{}, errs.E(op, errs.Conflict, "an organisation with this slug already exists", err)
	}
	return Org{ID: o.ID, Slug: o.Slug, Name: o.Name, RetentionDays: o.RetentionDays, Language: o.Language, CreatedAt: o.CreatedAt}, errs.Wrap(op, err)
}

// Seeder fills an organisation with starting content (the standard
// checklist library) inside tx, where ctx acts as the organisation's
// administrator. It must leave existing content alone, so that it can run
// again on an organisation that has some.
type Seeder func(ctx context.Context, tx *store.Tx) error

// Seed runs the seeders for the organisation acting in ctx, adding only
// what is missing (`patrolsync seed --demo` on an existing organisation).
func (s *Service) Seed(ctx context.Context) error {
	return errs.Wrap("org.Seed", s.db.InTx(ctx, func(tx *store.Tx) error { return s.runSeeders(ctx, tx) }))
}

func (s *Service) runSeeders(ctx context.Context, tx *store.Tx) error {
	for _, seed := range s.seeders {
		if err := seed(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// ActAsOrg returns ctx acting as an administrator of the organisation with
// this slug, for operator commands (`patrolsync user create`, seeding).
func (s *Service) ActAsOrg(ctx context.Context, slug string) (context.Context, Org, error) {
	o, err := s.db.Read(ctx).OrgBySlug(slug)
	if err != nil {
		return ctx, Org{}, errs.E("org.ActAsOrg", err)
	}
	ctx = principal.AsSystem(ctx, o.ID, "operator")
	return ctx, Org{ID: o.ID, Slug: o.Slug, Name: o.Name, RetentionDays: o.RetentionDays, Language: o.Language, CreatedAt: o.CreatedAt}, nil
}

// SiteByCode finds a site by its code, for operator commands.
func (s *Service) SiteByCode(ctx context.Context, code string) (Site, error) {
	sites, _, err := s.ListSites(ctx, nil, store.Page{Limit: 500})
	if err != nil {
		return Site{}, err
	}
	for _, site := range sites {
		if site.Code == code || site.ID == code {
			return site, nil
		}
	}
	return Site{}, errs.E("org.SiteByCode", errs.NotFound, "no site with code "+code)
}

// UserByEmail finds a user of the acting organisation, for operator commands.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	p, _ := principal.From(ctx)
	u, err := s.db.Read(ctx).UserByEmail(email)
	if err == nil && u.OrgID != p.OrgID {
		err = errs.E("org.UserByEmail", errs.NotFound, "not found")
	}
	if err != nil {
		return User{}, errs.Wrap("org.UserByEmail", err)
	}
	return s.User(ctx, u.ID)
}

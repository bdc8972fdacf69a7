// Package seed fills an empty installation with a demo organisation so that
// a person can try the product at once. Running it twice changes nothing.
package seed

import (
	"context"
	"log/slog"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/principal"
)

// DemoPassword is the password of every demo account. Demo data is for
// trying the product, never for production.
const DemoPassword = "patrolsync-demo"

// DemoOrgSlug names the demo organisation.
const DemoOrgSlug = "demo"

// Account is a demo login to print for the person trying the product.
type Account struct {
	Email, Password, Role string
}

// Demo creates, when missing, the demo organisation with the standard
// checklist library, two sites, one admin, one supervisor and two guards,
// and returns their logins.
func Demo(ctx context.Context, orgs *org.Service, log *slog.Logger) ([]Account, error) {
	const op = "seed.Demo"
	if _, err := orgs.CreateOrg(ctx, DemoOrgSlug, "Demo Security Co. 演示安保公司"); err != nil && !errs.Is(err, errs.Conflict) {
		return nil, errs.E(op, err)
	}
	ctx, _, err := orgs.ActAsOrg(ctx, DemoOrgSlug)
	if err != nil {
		return nil, errs.E(op, err)
	}
	// A demo organisation made before a seeder existed gets what it lacks.
	if err := orgs.Seed(ctx); err != nil {
		return nil, errs.E(op, err)
	}
	sites := []org.SiteInput{
		{Code: "HQ", Name: "Head office branch 总部营业部", Timezone: "Asia/Shanghai", Address: "1 Renmin Road"},
		{Code: "EAST", Name: "East branch 东区网点", Timezone: "Asia/Shanghai", Address: "88 Dongfeng Street"},
	}
	siteIDs := map[string]string{}
	for _, in := range sites {
		site, err := orgs.CreateSite(ctx, in)
		if errs.Is(err, errs.Conflict) {
			site, err = orgs.SiteByCode(ctx, in.Code)
		}
		if err != nil {
			return nil, errs.E(op, err)
		}
		siteIDs[in.Code] = site.ID
	}
	users := []org.UserInput{
		{Email: "admin@demo.patrolsync.test", Name: "Admin 管理员", Role: principal.Admin},
		{Email: "supervisor@demo.patrolsync.test", Name: "Wang Supervisor 王主管", Role: principal.Supervisor,
			SiteIDs: []string{siteIDs["HQ"], siteIDs["EAST"]}},
		{Email: "guard1@demo.patrolsync.test", Name: "Li Guard 李保安", Role: principal.Guard, SiteIDs: []string{siteIDs["HQ"]}},
		{Email: "guard2@demo.patrolsync.test", Name: "Zhang Guard 张保安", Role: principal.Guard, SiteIDs: []string{siteIDs["EAST"]}},
		// An internal auditor or regulator: reads everything, changes nothing.
		{Email: "auditor@demo.patrolsync.test", Name: "Chen Auditor 陈审计", Role: principal.Auditor},
	}
	accounts := make([]Account, 0, len(users))
	for _, in := range users {
		in.Password = DemoPassword
		_, err := orgs.CreateUser(ctx, in)
		if err != nil && !errs.Is(err, errs.Conflict) {
			return nil, errs.E(op, err)
		}
		if err == nil {
			log.Info("demo user created", "email", in.Email, "role", in.Role)
		}
		accounts = append(accounts, Account{Email: in.Email, Password: DemoPassword, Role: in.Role})
	}
	return accounts, nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/seed"
)

func openApp(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string) (*app.App, error) {
	cfg, err := settings(fs, args, getenv)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, logger(cfg, os.Stderr))
}

func seedCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "create the demo organisation, sites and users")
	a, err := openApp(ctx, fs, args, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	if !*demo {
		return errs.E("seed", errs.Malformed, "say what to seed: --demo")
	}
	accounts, err := seed.Demo(ctx, a.Org, a.Log)
	if err != nil {
		return err
	}
	printAccounts(stdout, accounts)
	return nil
}

func printAccounts(w io.Writer, accounts []seed.Account) {
	fmt.Fprintln(w, "Demo accounts (organisation \"demo\"):")
	for _, acc := range accounts {
		fmt.Fprintf(w, "  %-11s %-34s password: %s\n", acc.Role, acc.Email, acc.Password)
	}
}

func orgCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "create" {
		return errs.E("org", errs.Malformed, "usage: patrolsync org create --slug S --name N")
	}
	fs := flag.NewFlagSet("org create", flag.ContinueOnError)
	slug := fs.String("slug", "", "short unique name, e.g. acme")
	name := fs.String("name", "", "display name")
	a, err := openApp(ctx, fs, args[1:], getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := a.Org.CreateOrg(ctx, *slug, *name)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(o)
}

func userCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "create" {
		return errs.E("user", errs.Malformed, "usage: patrolsync user create --org SLUG --email E --password P --role R [--site CODE]...")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	orgSlug := fs.String("org", "", "organisation slug")
	email := fs.String("email", "", "login email")
	password := fs.String("password", "", "initial password (at least 10 characters)")
	role := fs.String("role", "", principal.Roles)
	name := fs.String("name", "", "display name (defaults to the email)")
	var sites multiFlag
	fs.Var(&sites, "site", "site code or id the user works at (repeatable)")
	a, err := openApp(ctx, fs, args[1:], getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, _, err = a.Org.ActAsOrg(ctx, *orgSlug)
	if err != nil {
		return err
	}
	in := org.UserInput{Email: *email, Password: *password, Role: *role, Name: *name}
	if in.Name == "" {
		in.Name = *email
	}
	for _, code := range sites {
		site, err := a.Org.SiteByCode(ctx, code)
		if err != nil {
			return err
		}
		in.SiteIDs = append(in.SiteIDs, site.ID)
	}
	user, err := a.Org.CreateUser(ctx, in)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(user)
}

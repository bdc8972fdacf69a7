package apitest

import (
	"context"
	"net/http"

	"github.com/patrolsync/patrolsync/internal/auth"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/principal"
)

// Password is every fixture account's password.
const Password = "correct horse battery"

// Account is a fixture user signed in on their own device.
type Account struct {
	User     org.User
	Email    string
	DeviceID string
	Token    string // access token
	Refresh  string // refresh token
}

// Tenant is an organisation with two sites and one user of each role:
// the supervisor and the guard work at the first site only.
type Tenant struct {
	Org        org.Org
	Sites      []org.Site
	Admin      Account
	Supervisor Account
	Guard      Account
}

// NewTenant creates and signs in a fixture organisation.
func (e *Env) NewTenant(slug string) *Tenant {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.App.Org.CreateOrg(ctx, slug, "Org "+slug)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, _, err = e.App.Org.ActAsOrg(ctx, slug)
	if err != nil {
		e.t.Fatal(err)
	}
	tenant := &Tenant{Org: o}
	for _, code := range []string{"A", "B"} {
		site, err := e.App.Org.CreateSite(ctx, org.SiteInput{Code: code, Name: slug + " site " + code, Timezone: "Asia/Shanghai"})
		if err != nil {
			e.t.Fatal(err)
		}
		tenant.Sites = append(tenant.Sites, site)
	}
	mk := func(role string, sites []string) Account {
		email := role + "@" + slug + ".test"
		user, err := e.App.Org.CreateUser(ctx, org.UserInput{Email: email, Name: role + " of " + slug, Password: Password,
			Role: role, SiteIDs: sites})
		if err != nil {
			e.t.Fatal(err)
		}
		acc := Account{User: user, Email: email, DeviceID: "device-" + role + "-" + slug}
		tokens := e.Login(email, Password, acc.DeviceID)
		acc.Token, acc.Refresh = tokens.AccessToken, tokens.RefreshToken
		return acc
	}
	tenant.Admin = mk(principal.Admin, nil)
	tenant.Supervisor = mk(principal.Supervisor, []string{tenant.Sites[0].ID})
	tenant.Guard = mk(principal.Guard, []string{tenant.Sites[0].ID})
	return tenant
}

// Login signs in through the API and fails the test unless it works.
func (e *Env) Login(email, password, deviceID string) auth.Tokens {
	e.t.Helper()
	var tokens auth.Tokens
	e.Post("/v1/auth/login", "", map[string]string{"email": email, "password": password, "device_id": deviceID}).
		Want(e.t, http.StatusOK).JSON(e.t, &tokens)
	return tokens
}

// NewGuard adds a guard at the given sites of tenant and signs them in.
func (e *Env) NewGuard(tenant *Tenant, name string, siteIDs ...string) Account {
	e.t.Helper()
	ctx, _, err := e.App.Org.ActAsOrg(context.Background(), tenant.Org.Slug)
	if err != nil {
		e.t.Fatal(err)
	}
	email := name + "@" + tenant.Org.Slug + ".test"
	user, err := e.App.Org.CreateUser(ctx, org.UserInput{Email: email, Name: name, Password: Password,
		Role: principal.Guard, SiteIDs: siteIDs})
	if err != nil {
		e.t.Fatal(err)
	}
	acc := Account{User: user, Email: email, DeviceID: "device-" + name}
	tokens := e.Login(email, Password, acc.DeviceID)
	acc.Token, acc.Refresh = tokens.AccessToken, tokens.RefreshToken
	return acc
}

// NewAuditor adds an auditor to tenant (an account that reads the whole
// organisation and changes nothing) and signs them in.
func (e *Env) NewAuditor(tenant *Tenant, name string) Account {
	e.t.Helper()
	ctx, _, err := e.App.Org.ActAsOrg(context.Background(), tenant.Org.Slug)
	if err != nil {
		e.t.Fatal(err)
	}
	email := name + "@" + tenant.Org.Slug + ".test"
	user, err := e.App.Org.CreateUser(ctx, org.UserInput{Email: email, Name: name, Password: Password, Role: principal.Auditor})
	if err != nil {
		e.t.Fatal(err)
	}
	acc := Account{User: user, Email: email, DeviceID: "device-" + name}
	tokens := e.Login(email, Password, acc.DeviceID)
	acc.Token, acc.Refresh = tokens.AccessToken, tokens.RefreshToken
	return acc
}

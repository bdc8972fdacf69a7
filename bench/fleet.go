package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// loadTarget is a running server and an admin of the organisation to load.
type loadTarget struct {
	baseURL       string
	replicas      []string // every replica's base URL, baseURL first; empty: baseURL alone
	adminEmail    string
	adminPassword string
	// materialize makes the rounds of new schedules now instead of at the
	// server's next periodic job (up to 15 minutes away). Only a spawned
	// server's database can be reached; nil otherwise.
	materialize func(ctx context.Context) (int, error)
}

// device is one simulated phone, signed in as a guard.
type device struct {
	key   string
	token string
}

// fleet is what the load needs: signed-in devices and the inspection they
// fill in.
type fleet struct {
	devices []device
	plan    *plan
}

// setUp creates a site and guards through the API as the admin, signs in
// every device, and finds the template by pulling like a phone does.
func setUp(ctx context.Context, client *api, target loadTarget, opts options) (*fleet, error) {
	run := randomHex(4)
	adminToken, err := client.login(ctx, target.adminEmail, target.adminPassword, "bench-admin-"+run)
	if err != nil {
		return nil, err
	}
	var site struct {
		ID string `json:"id"`
	}
	err = client.postJSON(ctx, "/v1/sites", adminToken, map[string]string{"code": "BENCH-" + run,
		"name": "Benchmark site " + run, "timezone": "Asia/Shanghai"}, &site)
	if err != nil {
		return nil, fmt.Errorf("create site: %w", err)
	}
	guards := (opts.devices + opts.devicesPerGuard - 1) / opts.devicesPerGuard
	password := randomHex(12)
	emails := make([]string, guards)
	for i := range emails {
		emails[i] = fmt.Sprintf("bench-guard-%d-%s@bench.invalid", i, run)
		err := client.postJSON(ctx, "/v1/users", adminToken, map[string]any{"email": emails[i], "name": fmt.Sprintf("Guard %d", i),
			"password": password, "role": "guard", "site_ids": []string{site.ID}}, nil)
		if err != nil {
			return nil, fmt.Errorf("create guard %d: %w", i, err)
		}
	}
	f := &fleet{devices: make([]device, opts.devices)}
	if err := f.signIn(ctx, client, emails, password, opts.devicesPerGuard, run); err != nil {
		return nil, err
	}
	templateID, number, document, err := pullTemplate(ctx, client, f.devices[0].token, opts.template)
	if err != nil {
		return nil, err
	}
	if f.plan, err = newPlan(templateID, number, site.ID, document); err != nil {
		return nil, err
	}
	if f.plan.needsCountersigner() {
		f.plan.countersigner, err = enlistCountersigner(ctx, client, adminToken, site.ID, run)
	}
	return f, err
}

// enlistCountersigner creates the second person of the template's
// two-person items, a guard of the site, signs them in on their own device
// and registers that device's Ed25519 key, as their phone does.
func enlistCountersigner(ctx context.Context, client *api, adminToken, siteID, run string) (*countersigner, error) {
	email, password := "bench-countersigner-"+run+"@bench.invalid", randomHex(12)
	var user struct {
		ID string `json:"id"`
	}
	err := client.postJSON(ctx, "/v1/users", adminToken, map[string]any{"email": email, "name": "Countersigner",
		"password": password, "role": "guard", "site_ids": []string{siteID}}, &user)
	if err != nil {
		return nil, fmt.Errorf("create the countersigner: %w", err)
	}
	token, err := client.login(ctx, email, password, "bench-"+run+"-countersigner")
	if err != nil {
		return nil, fmt.Errorf("sign the countersigner in: %w", err)
	}
	public, private, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	var key struct {
		ID string `json:"id"`
	}
	err = client.postJSON(ctx, "/v1/me/keys", token, map[string]string{"public_key": base64.StdEncoding.EncodeToString(public),
		"name": "bench countersigner's phone"}, &key)
	if err != nil {
		return nil, fmt.Errorf("register the countersigner's key: %w", err)
	}
	return &countersigner{userID: user.ID, keyID: key.ID, private: private}, nil
}

// signIn logs every device in, eight at a time: logins hash passwords, and
// 200 at once would only queue.
func (f *fleet) signIn(ctx context.Context, client *api, emails []string, password string, perGuard int, run string) error {
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8)
	failures := make([]error, len(f.devices))
	for i := range f.devices {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			key := fmt.Sprintf("bench-%s-device-%d", run, i)
			token, err := client.login(ctx, emails[i/perGuard], password, key)
			f.devices[i], failures[i] = device{key: key, token: token}, err
		})
	}
	wg.Wait()
	return errors.Join(failures...)
}

// pullTemplate pulls a full sync and returns the newest published version
// of the template with the given key.
func pullTemplate(ctx context.Context, client *api, token, key string) (string, int, []byte, error) {
	type version struct {
		TemplateID string          `json:"template_id"`
		Key        string          `json:"key"`
		Number     int             `json:"number"`
		Document   json.RawMessage `json:"document"`
	}
	var found version
	cursor := ""
	for {
		var page struct {
			Changes []struct {
				EntityType string          `json:"entity_type"`
				Data       json.RawMessage `json:"data"`
			} `json:"changes"`
			NextCursor string `json:"next_cursor"`
			HasMore    bool   `json:"has_more"`
		}
		path := "/v1/sync/pull?limit=1000"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := client.do(ctx, http.MethodGet, path, token, nil, &page); err != nil {
			return "", 0, nil, fmt.Errorf("pull: %w", err)
		}
		for _, c := range page.Changes {
			if c.EntityType != "template_version" {
				continue
			}
			var v version // fresh: a RawMessage is decoded into its old backing array
			if err := json.Unmarshal(c.Data, &v); err != nil {
				return "", 0, nil, fmt.Errorf("pull: template version: %w", err)
			}
			if v.Key == key && v.Number > found.Number {
				found = v
			}
		}
		cursor = page.NextCursor
		if !page.HasMore {
			break
		}
	}
	if found.TemplateID == "" {
		return "", 0, nil, fmt.Errorf("no published template %q in a full pull", key)
	}
	return found.TemplateID, found.Number, found.Document, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

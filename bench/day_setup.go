package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// dayFleet is what the day scenario needs: the guards' accounts, the
// inspection every device fills in, and the images it photographs.
type dayFleet struct {
	emails   []string // by guard
	password string
	run      string
	plan     *plan
	images   *images
	rounds   bool // rounds were materialised for the guards' schedules
}

// routeCheckpoints is how many checkpoints the bench route has.
const routeCheckpoints = 5

// setUpDays creates, as the admin, a site, the guards, a route of
// checkpoints and one hourly round schedule per guard, makes the rounds
// when the server's database is at hand, and finds the template.
func setUpDays(ctx context.Context, client *api, target loadTarget, opts options, progress io.Writer) (*dayFleet, error) {
	f := &dayFleet{run: randomHex(4), password: randomHex(12)}
	adminToken, err := client.login(ctx, target.adminEmail, target.adminPassword, "bench-admin-"+f.run)
	if err != nil {
		return nil, err
	}
	const timezone = "Asia/Shanghai"
	var site struct {
		ID string `json:"id"`
	}
	err = client.postJSON(ctx, "/v1/sites", adminToken, map[string]string{"code": "DAY-" + f.run,
		"name": "Day benchmark site " + f.run, "timezone": timezone}, &site)
	if err != nil {
		return nil, fmt.Errorf("create site: %w", err)
	}
	guards := (opts.devices + opts.devicesPerGuard - 1) / opts.devicesPerGuard
	guardIDs := make([]string, guards)
	f.emails = make([]string, guards)
	for i := range guards {
		f.emails[i] = fmt.Sprintf("day-guard-%d-%s@bench.invalid", i, f.run)
		var user struct {
			ID string `json:"id"`
		}
		err := client.postJSON(ctx, "/v1/users", adminToken, map[string]any{"email": f.emails[i], "name": fmt.Sprintf("Guard %d", i),
			"password": f.password, "role": "guard", "site_ids": []string{site.ID}}, &user)
		if err != nil {
			return nil, fmt.Errorf("create guard %d: %w", i, err)
		}
		guardIDs[i] = user.ID
	}
	routeID, err := createRoute(ctx, client, adminToken, site.ID, f.run)
	if err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(timezone)
	if err != nil {
		return nil, err
	}
	midnight := time.Now().In(zone).Format("2006-01-02") + "T00:00:00"
	for i, guardID := range guardIDs {
		err := client.postJSON(ctx, "/v1/schedules", adminToken, map[string]any{"site_id": site.ID, "kind": "round",
			"name": fmt.Sprintf("Hourly round, guard %d", i), "route_id": routeID, "rrule": "FREQ=HOURLY;BYMINUTE=0;BYSECOND=0",
			"dtstart": midnight, "tolerance_minutes": 30, "assignee_id": guardID}, nil)
		if err != nil {
			return nil, fmt.Errorf("create schedule of guard %d: %w", i, err)
		}
	}
	if target.materialize != nil {
		made, err := target.materialize(ctx)
		if err != nil {
			return nil, fmt.Errorf("materialise rounds: %w", err)
		}
		f.rounds = made > 0
		fmt.Fprintf(progress, "materialised %d rounds for %d guards\n", made, guards)
	} else {
		fmt.Fprintln(progress, "the server makes the new schedules' rounds at its next periodic job (every 15 min); "+
			"until a device pulls one, its round steps are skipped and counted")
	}
	templateID, number, document, err := pullTemplate(ctx, client, adminToken, opts.template)
	if err != nil {
		return nil, err
	}
	if f.plan, err = newPlan(templateID, number, site.ID, document); err != nil {
		return nil, err
	}
	if f.plan.needsCountersigner() {
		if f.plan.countersigner, err = enlistCountersigner(ctx, client, adminToken, site.ID, f.run); err != nil {
			return nil, err
		}
	}
	if opts.photos > 0 && !slices.ContainsFunc(f.plan.media, func(m mediaItem) bool { return m.kind == "photo" }) {
		return nil, fmt.Errorf("template %q has no top-level photo item for --photos", opts.template)
	}
	f.images, err = newImages()
	return f, err
}

// createRoute makes an ordered route of checkpoints a few dozen metres
// apart, each with a tag and a position, and returns its id.
func createRoute(ctx context.Context, client *api, token, siteID, run string) (string, error) {
	checkpoints := make([]map[string]any, routeCheckpoints)
	for i := range checkpoints {
		checkpoints[i] = map[string]any{"name": fmt.Sprintf("Checkpoint %d", i+1), "tag_code": fmt.Sprintf("DAY-%s-CP%d", run, i+1),
			"latitude": 31.2304 + float64(i)*0.0004, "longitude": 121.4737, "radius_m": 50}
	}
	var route struct {
		ID string `json:"id"`
	}
	err := client.postJSON(ctx, "/v1/routes", token, map[string]any{"site_id": siteID, "name": "Night route " + run,
		"ordered": true, "checkpoints": checkpoints}, &route)
	if err != nil {
		return "", fmt.Errorf("create route: %w", err)
	}
	return route.ID, nil
}

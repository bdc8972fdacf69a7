// Package api is the HTTP layer: routes, handlers, middleware and the one
// table from error kinds to problem+json answers. It holds no business
// rules; those live in internal/. It is the only package that imports echo.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/auth"
	"github.com/patrolsync/patrolsync/internal/countersign"
	"github.com/patrolsync/patrolsync/internal/drills"
	"github.com/patrolsync/patrolsync/internal/duties"
	"github.com/patrolsync/patrolsync/internal/finding"
	"github.com/patrolsync/patrolsync/internal/incident"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/plans"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/records"
	"github.com/patrolsync/patrolsync/internal/reference"
	"github.com/patrolsync/patrolsync/internal/review"
	"github.com/patrolsync/patrolsync/internal/rounds"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/templates"
)

// Deps are the services the handlers call.
type Deps struct {
	Auth        *auth.Service
	Org         *org.Service
	Idempotency idempotencyStore
	Sync        *syncer.Service
	Inspections *inspection.Service
	Templates   *templates.Service
	Rounds      *rounds.Service
	Incidents   *incident.Service
	Notify      *notify.Service
	Media       *media.Service
	Audit       *audit.Service
	Reviews     *review.Service
	Findings    *finding.Service
	Records     *records.Service
	Keys        *countersign.Service
	Reference   *reference.Service
	Plans       *plans.Service
	Drills      *drills.Service
	Duties      *duties.Service
	// Blobs serves presigned uploads and downloads of the local blob store;
	// nil when blobs live in S3.
	Blobs http.Handler
	// Checks are what /readyz asks: name -> ping.
	Checks map[string]func(context.Context) error
	// BlobOrigins are the object store's web origins, which the browser
	// apps' Content-Security-Policy lets pages upload to and show images from.
	BlobOrigins []string
}

// Options tune the HTTP layer.
type Options struct {
	BodyLimit int64 // bytes; requests above it get 413
	Version   string
	// TrustedProxies are the CIDR ranges of load balancers whose
	// X-Forwarded-For may be believed. Empty: the client address is the
	// TCP peer, so nobody can spoof the address login throttling keys on.
	TrustedProxies []*net.IPNet
	// PushRate and PushBurst limit pushes per session (per phone login).
	// The limit is kept per replica: it stops a runaway device, it is not
	// an exact quota.
	PushRate  float64
	PushBurst int
	// CORSOrigins may call the API, and upload to the local blob store,
	// from a browser. None by default: the app and console are served from
	// the API's own origin.
	CORSOrigins []string
}

// Server is the echo application.
type Server struct {
	echo *echo.Echo
	deps Deps
	opts Options
	log  *slog.Logger
	// roles maps "METHOD /path" to the weakest role allowed there.
	roles map[string]string
	// storeFree holds the "METHOD /path" of routes that never touch the
	// database (storeFreeRoute); every other route may answer 503.
	storeFree map[string]bool

	docsOnce    sync.Once
	docsHandler http.Handler
}

// Route is one registered endpoint and the weakest role allowed on it
// ("" for public routes). Tests walk this table.
type Route struct {
	Method  string
	Path    string // in OpenAPI form: /v1/users/{id}
	MinRole string
	// Store is whether the route may read or write the database, and so
	// answer 503 when the database is unreachable or its transaction loses
	// a deadlock or serialization race (store.LostLockRace). Only routes
	// registered as store-free say false.
	Store bool
}

// New builds the server.
func New(deps Deps, opts Options, log *slog.Logger) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{echo: e, deps: deps, opts: opts, log: log, roles: map[string]string{}, storeFree: map[string]bool{}}
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = echo.ExtractIPDirect()
	if len(opts.TrustedProxies) > 0 {
		trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, r := range opts.TrustedProxies {
			trust = append(trust, echo.TrustIPRange(r))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	e.Use(middleware.RequestID())
	if len(opts.CORSOrigins) > 0 {
		e.Use(cors(opts.CORSOrigins))
	}
	e.Use(s.accessLog)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
		Subsystem: "patrolsync", Registerer: registry, DoNotUseRequestPathFor404: true,
	}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy: "no-referrer", HSTSMaxAge: 0,
	}))
	// Uploads to the local blob store are as large as the media limit
	// allows and are bounded by their signed size, not by the API's limit.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   strconv.FormatInt(opts.BodyLimit, 10) + "B",
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/v1/blobs/") },
	}))
	e.Use(queryStrings)
	s.observePushGroups(registry)
	s.storeFreeRoute("/metrics", echoprometheus.NewHandlerWithConfig(echoprometheus.HandlerConfig{Gatherer: registry}))
	s.routes()
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// routes registers every endpoint; keep it in step with openapi.yaml (a
// test checks).
func (s *Server) routes() {
	s.storeFreeRoute("/healthz", s.healthz)
	s.echo.GET("/readyz", s.readyz) // pings the database
	s.storeFreeRoute("/openapi.yaml", s.openapi)
	s.storeFreeRoute("/docs", s.docs)
	s.storeFreeRoute("/docs/*", s.docs)
	s.webRoutes()
	s.storeFreeRoute("/v1/schemas/template.json", s.templateSchema)
	if s.deps.Blobs != nil {
		s.echo.Any("/v1/blobs/*", echo.WrapHandler(s.deps.Blobs))
	}

	v1 := s.echo.Group("/v1")
	v1.POST("/auth/login", s.login)
	v1.POST("/auth/refresh", s.refresh)
	v1.POST("/auth/logout", s.logout)

	s.add(v1, http.MethodGet, "/me", principal.Guard, s.me)
	s.add(v1, http.MethodGet, "/me/keys", principal.Guard, s.listKeys)
	s.add(v1, http.MethodPost, "/me/keys", principal.Guard, create(s.deps.Keys.Register))
	s.add(v1, http.MethodDelete, "/me/keys/:id", principal.Guard, byID(s.deps.Keys.Revoke))

	s.add(v1, http.MethodGet, "/sites", principal.Guard, s.listSites)
	s.add(v1, http.MethodPost, "/sites", principal.Admin, create(s.deps.Org.CreateSite))
	s.add(v1, http.MethodGet, "/sites/:id", principal.Guard, byID(s.deps.Org.Site))
	s.add(v1, http.MethodPatch, "/sites/:id", principal.Admin, patchByID(s.deps.Org.UpdateSite))
	s.add(v1, http.MethodDelete, "/sites/:id", principal.Admin, withPatch(s.deps.Org.UpdateSite, org.SitePatch{Active: inactive()}))

	s.add(v1, http.MethodGet, "/users", principal.Supervisor, s.listUsers) // supervisors pick people by name (issue 15)
	s.add(v1, http.MethodPost, "/users", principal.Admin, create(s.deps.Org.CreateUser))
	s.add(v1, http.MethodGet, "/users/:id", principal.Supervisor, byID(s.deps.Org.User))
	s.add(v1, http.MethodPatch, "/users/:id", principal.Admin, patchByID(s.deps.Org.UpdateUser))
	s.add(v1, http.MethodDelete, "/users/:id", principal.Admin, withPatch(s.deps.Org.UpdateUser, org.UserPatch{Active: inactive()}))

	// The push's caller is confirmed again in the push's own transaction.
	s.addAuthenticated(v1, http.MethodPost, "/sync/push", principal.Guard, s.requireAuthConfirmedLater(principal.Guard), s.push,
		s.perSessionLimit(s.opts.PushRate, s.opts.PushBurst))
	s.add(v1, http.MethodGet, "/sync/pull", principal.Guard, s.pull)
	s.add(v1, http.MethodGet, "/inspections", principal.Guard, s.listInspections)
	s.add(v1, http.MethodGet, "/inspections/:id", principal.Guard, s.getInspection)

	s.add(v1, http.MethodGet, "/devices", principal.Admin, s.listDevices)
	s.add(v1, http.MethodPost, "/devices", principal.Admin, create(s.deps.Org.CreateDevice))
	s.add(v1, http.MethodGet, "/devices/:id", principal.Admin, byID(s.deps.Org.Device))
	s.add(v1, http.MethodPatch, "/devices/:id", principal.Admin, patchByID(s.deps.Org.UpdateDevice))
	s.add(v1, http.MethodDelete, "/devices/:id", principal.Admin, withPatch(s.deps.Org.UpdateDevice, org.DevicePatch{Active: inactive()}))

	s.add(v1, http.MethodGet, "/templates", principal.Guard, s.listTemplates)
	s.add(v1, http.MethodPost, "/templates", principal.Admin, create(s.deps.Templates.Create))
	s.add(v1, http.MethodGet, "/templates/:id", principal.Guard, byID(s.deps.Templates.Get))
	s.add(v1, http.MethodPatch, "/templates/:id", principal.Admin, patchByID(s.deps.Templates.Update))
	s.add(v1, http.MethodGet, "/templates/library/upgrade", principal.Admin, s.previewLibrary)
	s.add(v1, http.MethodPost, "/templates/library/upgrade", principal.Admin, s.upgradeLibrary)
	s.add(v1, http.MethodPost, "/templates/:id/publish", principal.Admin, s.publishTemplate)
	s.add(v1, http.MethodPost, "/templates/:id/archive", principal.Admin, s.archiveTemplate)
	s.add(v1, http.MethodGet, "/templates/:id/versions", principal.Guard, s.listTemplateVersions)
	s.add(v1, http.MethodGet, "/templates/:id/versions/:number", principal.Guard, s.getTemplateVersion)

	s.add(v1, http.MethodGet, "/routes", principal.Guard, s.listRoutes)
	s.add(v1, http.MethodPost, "/routes", principal.Admin, create(s.deps.Rounds.CreateRoute))
	s.add(v1, http.MethodGet, "/routes/:id", principal.Guard, byID(s.deps.Rounds.Route))
	s.add(v1, http.MethodPatch, "/routes/:id", principal.Admin, patchByID(s.deps.Rounds.UpdateRoute))
	s.add(v1, http.MethodDelete, "/routes/:id", principal.Admin, withPatch(s.deps.Rounds.UpdateRoute, rounds.RoutePatch{Active: inactive()}))
	s.add(v1, http.MethodGet, "/schedules", principal.Guard, s.listSchedules)
	s.add(v1, http.MethodPost, "/schedules", principal.Admin, create(s.deps.Rounds.CreateSchedule))
	s.add(v1, http.MethodGet, "/schedules/:id", principal.Guard, byID(s.deps.Rounds.Schedule))
	s.add(v1, http.MethodPatch, "/schedules/:id", principal.Admin, patchByID(s.deps.Rounds.UpdateSchedule))
	s.add(v1, http.MethodDelete, "/schedules/:id", principal.Admin, withPatch(s.deps.Rounds.UpdateSchedule, rounds.SchedulePatch{Active: inactive()}))
	s.add(v1, http.MethodGet, "/rounds", principal.Guard, s.listRounds)
	s.add(v1, http.MethodGet, "/rounds/summary", principal.Supervisor, s.roundSummary)
	s.add(v1, http.MethodGet, "/rounds/export.csv", principal.Supervisor, s.exportRounds)
	s.add(v1, http.MethodGet, "/rounds/:id", principal.Guard, byID(s.deps.Rounds.Round))
	s.add(v1, http.MethodGet, "/incidents", principal.Guard, s.listIncidents)
	s.add(v1, http.MethodGet, "/incidents/:id", principal.Guard, byID(s.deps.Incidents.Get))
	s.add(v1, http.MethodPost, "/incidents/:id/acknowledge", principal.Supervisor, byID(s.deps.Incidents.Acknowledge))
	// Incidents to closure (issue 16): each step by the signed-in person.
	s.add(v1, http.MethodPost, "/incidents/:id/progress", principal.Guard, patchByID(s.deps.Incidents.Progress))
	s.add(v1, http.MethodPost, "/incidents/:id/resolve", principal.Supervisor, patchByID(s.deps.Incidents.Resolve))
	s.add(v1, http.MethodPost, "/incidents/:id/summary", principal.Supervisor, patchByID(s.deps.Incidents.Summarize))
	s.add(v1, http.MethodPost, "/incidents/:id/close", principal.Supervisor, patchByID(s.deps.Incidents.Close))
	s.add(v1, http.MethodGet, "/incidents/:id/emails", principal.Supervisor, s.incidentEmails)
	s.add(v1, http.MethodGet, "/incident-categories", principal.Guard, s.incidentCategories)
	s.add(v1, http.MethodGet, "/settings/alerts", principal.Admin, s.getAlertSettings)
	s.add(v1, http.MethodPut, "/settings/alerts", principal.Admin, s.putAlertSettings)
	s.add(v1, http.MethodPost, "/media", principal.Guard, s.declareMedia)
	s.add(v1, http.MethodGet, "/media/:id", principal.Guard, s.getMedia)
	s.add(v1, http.MethodPost, "/media/:id/complete", principal.Guard, byID(s.deps.Media.Complete))
	s.add(v1, http.MethodGet, "/media/:id/parts", principal.Guard, byID(s.deps.Media.Parts))
	s.add(v1, http.MethodGet, "/media/:id/thumbnail", principal.Guard, s.getMediaThumbnail)
	// Review, findings, audit, registers and retention (issue 7).
	s.add(v1, http.MethodGet, "/reviews", principal.Supervisor, s.listReviews)
	s.add(v1, http.MethodPost, "/inspections/:id/approve", principal.Supervisor, s.approveInspection)
	s.add(v1, http.MethodPost, "/inspections/:id/return", principal.Supervisor, s.returnInspection)
	s.add(v1, http.MethodDelete, "/inspections/:id", principal.Admin, s.deleteInspection)
	s.add(v1, http.MethodGet, "/inspections/:id/report.pdf", principal.Guard, s.inspectionReport)
	s.add(v1, http.MethodGet, "/findings", principal.Guard, s.listFindings)
	s.add(v1, http.MethodPost, "/findings", principal.Guard, create(s.deps.Findings.Create))
	s.add(v1, http.MethodGet, "/findings/:id", principal.Guard, byID(s.deps.Findings.Get))
	s.add(v1, http.MethodPost, "/findings/:id/assign", principal.Supervisor, s.findingAction("assign"))
	s.add(v1, http.MethodPost, "/findings/:id/unassign", principal.Supervisor, s.findingAction("unassign"))
	s.add(v1, http.MethodPost, "/findings/:id/rectify", principal.Guard, s.findingAction("rectify"))
	s.add(v1, http.MethodPost, "/findings/:id/verify", principal.Supervisor, s.findingAction("verify"))
	s.add(v1, http.MethodPost, "/findings/:id/reject", principal.Supervisor, s.findingAction("reject"))
	s.add(v1, http.MethodPost, "/findings/:id/close", principal.Supervisor, s.findingAction("close"))
	s.add(v1, http.MethodGet, "/audit", principal.Admin, s.listAudit)
	s.add(v1, http.MethodGet, "/audit/verify", principal.Admin, s.verifyAudit)
	s.add(v1, http.MethodGet, "/registers/inspections", principal.Supervisor, s.register(records.InspectionRegister))
	s.add(v1, http.MethodGet, "/registers/hazards", principal.Supervisor, s.register(records.HazardRegister))
	s.add(v1, http.MethodGet, "/registers/handovers", principal.Supervisor, s.register(records.HandoverRegister))
	s.add(v1, http.MethodPatch, "/org", principal.Admin, s.updateOrg)
	// The console's findings board and schedule editor (issue 15).
	s.add(v1, http.MethodGet, "/sites/:id/people", principal.Supervisor, s.listSitePeople)
	s.add(v1, http.MethodPost, "/schedules/preview", principal.Supervisor, s.previewSchedule)
	// Reference data, emergency plans, drills and duties (issue 16).
	s.add(v1, http.MethodGet, "/assets", principal.Guard, s.listAssets)
	s.add(v1, http.MethodPost, "/assets", principal.Admin, create(s.deps.Reference.CreateAsset))
	s.add(v1, http.MethodGet, "/assets/:id", principal.Guard, byID(s.deps.Reference.Asset))
	s.add(v1, http.MethodPatch, "/assets/:id", principal.Admin, patchByID(s.deps.Reference.UpdateAsset))
	s.add(v1, http.MethodDelete, "/assets/:id", principal.Admin, withPatch(s.deps.Reference.UpdateAsset, reference.AssetPatch{Active: inactive()}))
	s.add(v1, http.MethodGet, "/reference-values", principal.Guard, s.listReferenceValues)
	s.add(v1, http.MethodPut, "/reference-values", principal.Admin, s.putReferenceValue)
	s.add(v1, http.MethodGet, "/plans", principal.Guard, s.listPlans)
	s.add(v1, http.MethodPost, "/plans", principal.Admin, create(s.deps.Plans.Create))
	s.add(v1, http.MethodGet, "/plans/:id", principal.Guard, byID(s.deps.Plans.Get))
	s.add(v1, http.MethodPost, "/plans/:id/versions", principal.Admin, patchByID(s.deps.Plans.Publish))
	s.add(v1, http.MethodPost, "/plans/:id/acknowledge", principal.Guard, patchByID(s.deps.Plans.AcknowledgeNow))
	s.add(v1, http.MethodGet, "/plans/:id/readers", principal.Supervisor, byID(s.deps.Plans.Readers))
	// Emergency drills scheduled from a plan (issue 16, item 3).
	s.add(v1, http.MethodPost, "/plans/:id/drills", principal.Supervisor, s.scheduleDrills)
	s.add(v1, http.MethodGet, "/drills", principal.Guard, s.listDrills)
	s.add(v1, http.MethodGet, "/drills/:id", principal.Guard, byID(s.deps.Drills.Get))
	s.add(v1, http.MethodPost, "/drills/:id/record", principal.Supervisor, patchByID(s.deps.Drills.Record))
	s.add(v1, http.MethodPost, "/drills/:id/evaluate", principal.Supervisor, patchByID(s.deps.Drills.Evaluate))
	// Duties (issue 16 item 4): roster, handovers, duty log, training,
	// the daily safety report.
	s.add(v1, http.MethodGet, "/shifts", principal.Guard, s.listShifts)
	s.add(v1, http.MethodPost, "/shifts", principal.Supervisor, create(s.deps.Duties.AddShift))
	s.add(v1, http.MethodGet, "/shifts/:id", principal.Guard, byID(s.deps.Duties.Shift))
	s.add(v1, http.MethodPost, "/shifts/:id/cancel", principal.Supervisor, patchByID(s.deps.Duties.CancelShift))
	s.add(v1, http.MethodGet, "/handovers", principal.Guard, s.listHandovers)
	s.add(v1, http.MethodPost, "/handovers", principal.Guard, create(s.deps.Duties.CreateHandover))
	s.add(v1, http.MethodGet, "/handovers/:id", principal.Guard, byID(s.deps.Duties.Handover))
	s.add(v1, http.MethodPost, "/handovers/:id/sign", principal.Guard, patchByID(s.deps.Duties.SignHandoverNow))
	s.add(v1, http.MethodGet, "/duty-log", principal.Guard, s.listDutyLog)
	s.add(v1, http.MethodPost, "/duty-log", principal.Guard, create(s.deps.Duties.Log))
	s.add(v1, http.MethodGet, "/trainings", principal.Guard, s.listTrainings)
	s.add(v1, http.MethodPost, "/trainings", principal.Supervisor, create(s.deps.Duties.AddTraining))
	s.add(v1, http.MethodGet, "/trainings/:id", principal.Guard, byID(s.deps.Duties.Training))
	s.add(v1, http.MethodPatch, "/trainings/:id", principal.Supervisor, patchByID(s.deps.Duties.UpdateTraining))
	s.add(v1, http.MethodPost, "/trainings/:id/attend", principal.Guard, patchByID(s.deps.Duties.AttendNow))
	s.add(v1, http.MethodPut, "/trainings/:id/results", principal.Supervisor, patchByID(s.deps.Duties.RecordResults))
	s.add(v1, http.MethodGet, "/daily-reports", principal.Supervisor, s.listDailyReports)
	s.add(v1, http.MethodPost, "/daily-reports", principal.Supervisor, create(s.deps.Duties.SubmitDailyReport))
	s.add(v1, http.MethodGet, "/settings/duties", principal.Supervisor, s.getDutySettings)
	s.add(v1, http.MethodPut, "/settings/duties", principal.Admin, s.putDutySettings)
	// The console's records and administration (issue 15).
	s.add(v1, http.MethodGet, "/registers/outsiders", principal.Supervisor, s.register(records.OutsiderRegister))
	s.add(v1, http.MethodGet, "/sites/:id/checkpoint-labels.pdf", principal.Supervisor, s.checkpointLabels)
	s.add(v1, http.MethodGet, "/reports/periodic", principal.Supervisor, s.periodicReport) // issue 16 point 6
	s.add(v1, http.MethodGet, "/schedule-standards", principal.Supervisor, s.scheduleStandards)
	s.add(v1, http.MethodGet, "/default-schedules", principal.Supervisor, s.listDefaultSchedules) // issue 16 point 6
	s.add(v1, http.MethodPost, "/default-schedules/:key/sites", principal.Admin, s.enableDefaultSchedule)
}

// storeFreeRoute registers a GET route whose handler never touches the
// database (the process's own state, files embedded in the binary): the
// one kind of route that cannot answer 503 for a database that is down.
func (s *Server) storeFreeRoute(path string, h echo.HandlerFunc) {
	s.echo.GET(path, h)
	s.storeFree[http.MethodGet+" "+path] = true
}

// add registers an authenticated route with its weakest allowed role.
func (s *Server) add(g *echo.Group, method, path, minRole string, h echo.HandlerFunc, extra ...echo.MiddlewareFunc) {
	s.addAuthenticated(g, method, path, minRole, s.requireAuth(minRole), h, extra...)
}

// addAuthenticated is add with the route's own authentication middleware.
func (s *Server) addAuthenticated(g *echo.Group, method, path, minRole string, authenticate echo.MiddlewareFunc,
	h echo.HandlerFunc, extra ...echo.MiddlewareFunc) {
	g.Add(method, path, h, append([]echo.MiddlewareFunc{authenticate, s.idempotent}, extra...)...)
	s.roles[method+" /v1"+path] = minRole
}

// Routes lists every registered route in OpenAPI path form with its role.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.echo.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		key := r.Method + " " + r.Path
		out = append(out, Route{Method: r.Method, Path: openAPIPath(r.Path), MinRole: s.roles[key], Store: !s.storeFree[key]})
	}
	return out
}

// openAPIPath turns echo's /users/:id into OpenAPI's /users/{id}.
func openAPIPath(path string) string {
	out := []byte{}
	for i := 0; i < len(path); i++ {
		if path[i] == '*' {
			out = append(out, "{path}"...)
			continue
		}
		if path[i] == ':' {
			j := i + 1
			for j < len(path) && path[j] != '/' {
				j++
			}
			out = append(out, '{')
			out = append(out, path[i+1:j]...)
			out = append(out, '}')
			i = j - 1
			continue
		}
		out = append(out, path[i])
	}
	return string(out)
}

// Shutdown is for tests that run the echo server directly.
func (s *Server) Shutdown(ctx context.Context) error { return s.echo.Shutdown(ctx) }

// DepsFrom hands the assembled services to the HTTP layer.
func DepsFrom(a *app.App) Deps {
	return Deps{Auth: a.Auth, Org: a.Org, Idempotency: a.Idempotency, Sync: a.Sync, Inspections: a.Inspections, Templates: a.Templates, Media: a.Media, Blobs: a.BlobHandler,
		Rounds: a.Rounds, Incidents: a.Incidents, Notify: a.Notify,
		Audit: a.Audit, Reviews: a.Reviews, Findings: a.Findings, Records: a.Records,
		Keys: a.Keys, Checks: a.Checks(), BlobOrigins: a.BlobOrigins,
		Reference: a.Reference, Plans: a.Plans, Drills: a.Drills, Duties: a.Duties}
}

// observePushGroups publishes how pushes are committed in groups: group
// sizes, time in the queue, time in the group's transaction, and groups
// that failed and ran their pushes alone.
func (s *Server) observePushGroups(registry *prometheus.Registry) {
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	size := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "patrolsync", Name: "push_group_size",
		Help: "Pushes committed together in one transaction.", Buckets: []float64{1, 2, 4, 8, 16, 32}})
	waited := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "patrolsync", Name: "push_queue_seconds",
		Help: "Time a push waited for its group to start.", Buckets: buckets})
	took := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "patrolsync", Name: "push_group_seconds",
		Help: "Time a group's transaction took, commit included.", Buckets: buckets})
	failed := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "patrolsync", Name: "push_group_failures_total",
		Help: "Groups whose transaction failed; their pushes ran again alone."})
	registry.MustRegister(size, waited, took, failed)
	if s.deps.Sync == nil {
		return
	}
	s.deps.Sync.ObserveGroups(func(pushes int, waits []time.Duration, duration time.Duration, groupFailed bool) {
		size.Observe(float64(pushes))
		for _, w := range waits {
			waited.Observe(w.Seconds())
		}
		took.Observe(duration.Seconds())
		if groupFailed {
			failed.Inc()
		}
	})
}

package api_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/auth"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

func TestLoginRefreshLogout(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("acme")
		guard := tenant.Guard

		var me struct {
			User struct{ Email, Role string }
			Org  struct{ Slug string }
		}
		env.Get("/v1/me", guard.Token).Want(t, http.StatusOK).JSON(t, &me)
		if me.User.Email != guard.Email || me.User.Role != "guard" || me.Org.Slug != "acme" {
			t.Fatalf("me = %+v", me)
		}

		// Rotation: the new pair works, the old refresh token is spent.
		var rotated auth.Tokens
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": guard.Refresh, "device_id": guard.DeviceID}).
			Want(t, http.StatusOK).JSON(t, &rotated)
		if rotated.RefreshToken == guard.Refresh || rotated.TokenType != "Bearer" || rotated.ExpiresIn <= 0 {
			t.Fatalf("rotated = %+v", rotated)
		}
		env.Get("/v1/me", rotated.AccessToken).Want(t, http.StatusOK)

		// The same device presenting the spent token again soon, before it
		// used the pair it bought, never got the answer (a lost response):
		// it gets a new pair, and the pair it never saw stops working.
		var retried auth.Tokens
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": guard.Refresh, "device_id": guard.DeviceID}).
			Want(t, http.StatusOK).JSON(t, &retried)
		if retried.RefreshToken == rotated.RefreshToken || retried.RefreshToken == guard.Refresh {
			t.Fatalf("the retried refresh handed out a used token: %+v", retried)
		}
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": rotated.RefreshToken, "device_id": guard.DeviceID}).
			Want(t, http.StatusUnauthorized)
		env.Get("/v1/me", retried.AccessToken).Want(t, http.StatusOK)

		// From another device the spent token is a copy: the whole session
		// is revoked, the latest pair stops working too.
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": guard.Refresh, "device_id": "stolen-device"}).
			Want(t, http.StatusUnauthorized)
		env.Get("/v1/me", retried.AccessToken).Want(t, http.StatusUnauthorized)
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": retried.RefreshToken, "device_id": guard.DeviceID}).
			Want(t, http.StatusUnauthorized)

		// Once the device used the pair it got (refreshed with it), the
		// old token again is a copy even from the same device.
		second := env.Login(guard.Email, apitest.Password, guard.DeviceID)
		var next auth.Tokens
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken, "device_id": guard.DeviceID}).
			Want(t, http.StatusOK).JSON(t, &next)
		var after auth.Tokens
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": next.RefreshToken, "device_id": guard.DeviceID}).
			Want(t, http.StatusOK).JSON(t, &after)
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken, "device_id": guard.DeviceID}).
			Want(t, http.StatusUnauthorized)
		env.Get("/v1/me", after.AccessToken).Want(t, http.StatusUnauthorized)

		// A refresh token presented from another device is refused.
		fresh := env.Login(guard.Email, apitest.Password, guard.DeviceID)
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": fresh.RefreshToken, "device_id": "stolen-device"}).
			Want(t, http.StatusUnauthorized)

		// Logout ends the session at once; a second logout is harmless.
		again := env.Login(guard.Email, apitest.Password, guard.DeviceID)
		env.Post("/v1/auth/logout", "", map[string]string{"refresh_token": again.RefreshToken}).Want(t, http.StatusNoContent)
		env.Post("/v1/auth/logout", "", map[string]string{"refresh_token": again.RefreshToken}).Want(t, http.StatusNoContent)
		env.Get("/v1/me", again.AccessToken).Want(t, http.StatusUnauthorized)
	})
}

// Racing refreshes of one token: however many answer 200 (a retry within
// the grace window is one), at most one refresh token of the session
// works afterwards: there are never two live chains.
func TestConcurrentRefreshSpendsOnce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.Postgres(t))
	tenant := env.NewTenant("race")
	var wg sync.WaitGroup
	answers := make(chan apitest.Response, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers <- env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": tenant.Guard.Refresh, "device_id": tenant.Guard.DeviceID})
		}()
	}
	wg.Wait()
	close(answers)
	var handedOut []string
	for answer := range answers {
		switch answer.Status {
		case http.StatusOK:
			var tokens auth.Tokens
			answer.JSON(t, &tokens)
			handedOut = append(handedOut, tokens.RefreshToken)
		case http.StatusUnauthorized:
		default:
			t.Fatalf("unexpected status %d", answer.Status)
		}
	}
	live := 0
	for _, token := range handedOut {
		if env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": token, "device_id": tenant.Guard.DeviceID}).Status == http.StatusOK {
			live++
		}
	}
	if live > 1 {
		t.Fatalf("%d of the %d refresh tokens handed out still work, want at most 1", live, len(handedOut))
	}
}

func TestBadCredentialsAndThrottle(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("lock")
		login := func(email, password string) apitest.Response {
			return env.Post("/v1/auth/login", "", map[string]string{"email": email, "password": password, "device_id": "d1"})
		}
		// Unknown account and wrong password read the same.
		unknown := login("nobody@lock.test", "whatever-password").Want(t, http.StatusUnauthorized).Problem(t)
		wrong := login(tenant.Guard.Email, "wrong-password").Want(t, http.StatusUnauthorized).Problem(t)
		if unknown.Detail != wrong.Detail {
			t.Fatalf("unknown account %q and wrong password %q must read the same", unknown.Detail, wrong.Detail)
		}
		for i := 0; i < auth.DefaultThrottle.AccountMaxFailures-1; i++ {
			login(tenant.Guard.Email, "wrong-password").Want(t, http.StatusUnauthorized)
		}
		// Locked: even the right password is refused, with Retry-After.
		locked := login(tenant.Guard.Email, apitest.Password).Want(t, http.StatusTooManyRequests)
		if secs, err := strconv.Atoi(locked.Header.Get("Retry-After")); err != nil || secs <= 0 {
			t.Fatalf("Retry-After = %q", locked.Header.Get("Retry-After"))
		}
		// Other accounts are not locked by it.
		login(tenant.Admin.Email, apitest.Password).Want(t, http.StatusOK)
	})
}

func TestDeactivationStopsTokensAtOnce(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("deact")
		env.Get("/v1/me", tenant.Guard.Token).Want(t, http.StatusOK)
		env.Delete("/v1/users/"+tenant.Guard.User.ID, tenant.Admin.Token).Want(t, http.StatusOK)
		env.Get("/v1/me", tenant.Guard.Token).Want(t, http.StatusUnauthorized)
		env.Post("/v1/auth/refresh", "", map[string]string{"refresh_token": tenant.Guard.Refresh, "device_id": tenant.Guard.DeviceID}).
			Want(t, http.StatusUnauthorized)
		env.Post("/v1/auth/login", "", map[string]string{"email": tenant.Guard.Email, "password": apitest.Password, "device_id": "x"}).
			Want(t, http.StatusUnauthorized)

		// A deactivated device locks out whoever is signed in on it.
		var devices apitest.Response = env.Get("/v1/devices?user_id="+tenant.Supervisor.User.ID, tenant.Admin.Token).Want(t, http.StatusOK)
		var list struct{ Items []struct{ ID string } }
		devices.JSON(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("supervisor devices = %+v", list.Items)
		}
		env.Delete("/v1/devices/"+list.Items[0].ID, tenant.Admin.Token).Want(t, http.StatusOK)
		env.Get("/v1/me", tenant.Supervisor.Token).Want(t, http.StatusUnauthorized)
		env.Post("/v1/auth/login", "", map[string]string{"email": tenant.Supervisor.Email, "password": apitest.Password,
			"device_id": tenant.Supervisor.DeviceID}).Want(t, http.StatusForbidden)

		// Admins cannot lock themselves out...
		env.Patch("/v1/users/"+tenant.Admin.User.ID, tenant.Admin.Token, map[string]any{"role": "guard"}).
			Want(t, http.StatusUnprocessableEntity)
		// ...and demoting someone else ends their sessions at once.
		var second struct{ ID string }
		env.Post("/v1/users", tenant.Admin.Token, map[string]any{"email": "second@deact.test", "name": "Second",
			"password": apitest.Password, "role": "admin"}).Want(t, http.StatusCreated).JSON(t, &second)
		tokens := env.Login("second@deact.test", apitest.Password, "second-device")
		env.Get("/v1/users", tokens.AccessToken).Want(t, http.StatusOK)
		env.Patch("/v1/users/"+second.ID, tenant.Admin.Token, map[string]any{"role": "guard"}).Want(t, http.StatusOK)
		env.Get("/v1/me", tokens.AccessToken).Want(t, http.StatusUnauthorized)
		demoted := env.Login("second@deact.test", apitest.Password, "second-device")
		env.Get("/v1/users", demoted.AccessToken).Want(t, http.StatusForbidden)
	})
}

func TestBearerTokenMustBeValid(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	tenant := env.NewTenant("tok")
	for name, header := range map[string]string{
		"missing":        "",
		"not a jwt":      "Bearer nonsense",
		"tampered":       "Bearer " + tenant.Guard.Token[:len(tenant.Guard.Token)-4] + "AAAA",
		"wrong scheme":   "Basic " + tenant.Guard.Token,
		"alg none token": "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwib3JnIjoieCIsInNpZCI6IngifQ.",
	} {
		t.Run(name, func(t *testing.T) {
			r := env.Do(apitest.Request{Method: http.MethodGet, Path: "/v1/me", Header: map[string]string{"Authorization": header}})
			r.Want(t, http.StatusUnauthorized).Problem(t)
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
}

// A spoofed X-Forwarded-For does not reset the per-address login throttle
// (GO-2026-6872): with no trusted proxy configured, the address is the peer.
func TestThrottleIgnoresSpoofedForwardedFor(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	tenant := env.NewTenant("spoof")
	for i := 0; i < auth.DefaultThrottle.AddressMaxFailures; i++ {
		// A different account each time: only the address throttle can trip.
		env.Do(apitest.Request{Method: "POST", Path: "/v1/auth/login",
			Body:   map[string]string{"email": strconv.Itoa(i) + "@nowhere.test", "password": "wrong-password", "device_id": "d"},
			Header: map[string]string{"X-Forwarded-For": "203.0.113." + strconv.Itoa(i%250+1)}})
	}
	r := env.Do(apitest.Request{Method: "POST", Path: "/v1/auth/login",
		Body:   map[string]string{"email": tenant.Guard.Email, "password": apitest.Password, "device_id": "d"},
		Header: map[string]string{"X-Forwarded-For": "198.51.100.7"}})
	r.Want(t, http.StatusTooManyRequests)
}

package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// Me is the signed-in user as the server describes them.
type Me struct {
	UserID  string
	Role    string
	SiteIDs []string
}

// Login signs in on this device, keeps the tokens (and, with
// Options.Relogin, the credentials) and learns who the user is.
func (c *Client) Login(ctx context.Context, email, password string) (Me, error) {
	if err := c.login(ctx, email, password); err != nil {
		return Me{}, err
	}
	if c.opts.Relogin {
		_, err := c.db.ExecContext(ctx, `UPDATE session SET email = ?, password = ? WHERE id = 1`, email, password)
		if err != nil {
			return Me{}, fmt.Errorf("client.Login: %w", err)
		}
	}
	return c.Me(ctx)
}

func (c *Client) login(ctx context.Context, email, password string) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	var t tokens
	in := map[string]string{"email": email, "password": password, "device_id": s.DeviceID}
	if err := c.callJSON(ctx, http.MethodPost, "/v1/auth/login", nil, in, &t, false); err != nil {
		return fmt.Errorf("client.Login: %w", err)
	}
	c.counters.logins.Add(1)
	return c.saveTokens(ctx, t)
}

// Me asks the server who the user is and remembers the answer.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var out struct {
		User struct {
			ID      string   `json:"id"`
			Role    string   `json:"role"`
			SiteIDs []string `json:"site_ids"`
		} `json:"user"`
	}
	if err := c.callJSON(ctx, http.MethodGet, "/v1/me", nil, nil, &out, true); err != nil {
		return Me{}, fmt.Errorf("client.Me: %w", err)
	}
	_, err := c.db.ExecContext(ctx, `UPDATE session SET user_id = ?, site_ids = ? WHERE id = 1`,
		out.User.ID, strings.Join(out.User.SiteIDs, ","))
	if err != nil {
		return Me{}, fmt.Errorf("client.Me: %w", err)
	}
	return Me{UserID: out.User.ID, Role: out.User.Role, SiteIDs: out.User.SiteIDs}, nil
}

// SiteIDs are the user's sites as last learnt from the server.
func (c *Client) SiteIDs(ctx context.Context) ([]string, error) {
	s, err := c.session(ctx)
	if err != nil || s.SiteIDs == "" {
		return nil, err
	}
	return strings.Split(s.SiteIDs, ","), nil
}

// reauthenticate renews the session after a 401 on stale: with the refresh
// token, and failing that with the stored credentials when allowed. A
// concurrent caller that already renewed it wins.
func (c *Client) reauthenticate(ctx context.Context, stale string) error {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	if s.Access != stale {
		return nil
	}
	if s.Refresh != "" {
		err = c.refresh(ctx, s)
		if err == nil || StatusOf(err) == 0 {
			return err // renewed, or the network is down: nothing to decide yet
		}
		c.log.Info("refresh refused; session over", "err", err)
	}
	if !c.opts.Relogin || s.Email == "" {
		c.clearTokens(ctx)
		return ErrUnauthenticated
	}
	if err := c.login(ctx, s.Email, s.Password); err != nil {
		if StatusOf(err) == http.StatusUnauthorized || StatusOf(err) == http.StatusForbidden {
			c.clearTokens(ctx)
			return errors.Join(ErrUnauthenticated, err)
		}
		return err
	}
	return nil
}

// refresh spends the refresh token. A refresh whose answer is lost has
// still spent it on the server; the retry is then refused (and the server
// revokes the session), which sends the client to reauthenticate's login.
func (c *Client) refresh(ctx context.Context, s sessionRow) error {
	var t tokens
	in := map[string]string{"refresh_token": s.Refresh, "device_id": s.DeviceID}
	if err := c.callJSON(ctx, http.MethodPost, "/v1/auth/refresh", nil, in, &t, false); err != nil {
		return err
	}
	c.counters.refreshes.Add(1)
	return c.saveTokens(ctx, t)
}

func (c *Client) clearTokens(ctx context.Context) {
	if _, err := c.db.ExecContext(ctx, `UPDATE session SET access_token = NULL, refresh_token = NULL WHERE id = 1`); err != nil {
		c.log.Warn("clear tokens", "err", err)
	}
}

// decodeJSON is json.Unmarshal for stored text.
func decodeJSON(s string, v any) error { return json.Unmarshal([]byte(s), v) }

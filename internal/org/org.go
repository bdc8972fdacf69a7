// Package org is the administration of a tenant: its sites, users and
// devices. It validates every field at once and never lets one organisation
// touch another's records (the store scopes by the caller's org).
package org

import (
	"context"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/auth"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Service holds the admin use cases.
type Service struct {
	db         *store.DB
	bcryptCost int
	seeders    []Seeder
}

// NewService builds the service; bcryptCost is used for new passwords.
// seeders fill each new organisation with starting content (SeedNewOrgs'
// job before: now given at construction), in the transaction creating it.
func NewService(db *store.DB, bcryptCost int, seeders ...Seeder) *Service {
	return &Service{db: db, bcryptCost: bcryptCost, seeders: seeders}
}

// Org is the caller's tenant as shown to them.
type Org struct {
	ID            string    `json:"id"`
	Slug          string    `json:"slug"`
	Name          string    `json:"name"`
	RetentionDays int       `json:"retention_days"`
	Language      string    `json:"language"`
	CreatedAt     time.Time `json:"created_at"`
}

// Me is the caller's own profile.
type Me struct {
	User User `json:"user"`
	Org  Org  `json:"org"`
	// DeviceID is the server's id of the device record the caller's
	// session is bound to: inspections started on it carry it as their
	// device_id, so an app knows which are its own.
	DeviceID string `json:"device_id"`
}

// Me returns the caller and their organisation.
func (s *Service) Me(ctx context.Context) (Me, error) {
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	user, err := tx.User(p.UserID)
	if err != nil {
		return Me{}, errs.E("org.Me", err)
	}
	o, err := tx.CallerOrg()
	if err != nil {
		return Me{}, errs.E("org.Me", err)
	}
	return Me{User: userView(user), Org: Org{ID: o.ID, Slug: o.Slug, Name: o.Name, RetentionDays: o.RetentionDays,
		Language: o.Language, CreatedAt: o.CreatedAt}, DeviceID: p.DeviceID}, nil
}

// checkID accepts a client-chosen UUID or makes a v7 one.
func checkID(id string, fields map[string]string) string {
	if id == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	parsed, err := uuid.Parse(id)
	if err != nil {
		fields["/id"] = "must be a UUID"
		return id
	}
	return parsed.String()
}

func checkText(fields map[string]string, pointer, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		fields[pointer] = "required"
	case len([]rune(value)) > max:
		fields[pointer] = "too long (at most " + itoa(max) + " characters)"
	}
}

func checkEmail(fields map[string]string, email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		fields["/email"] = "must be a valid email address"
	}
	return email
}

func checkPassword(fields map[string]string, password string) {
	if len([]rune(password)) < auth.MinPasswordLength {
		fields["/password"] = "must be at least " + itoa(auth.MinPasswordLength) + " characters"
	} else if len(password) > 72 {
		fields["/password"] = "must be at most 72 bytes"
	}
}

func checkRole(fields map[string]string, role string) {
	if !principal.ValidRole(role) {
		fields["/role"] = "must be one of " + principal.Roles
	}
}

// checkSites verifies every id is a UUID of a site in the caller's org.
func checkSites(tx *store.Tx, fields map[string]string, ids []string) error {
	for _, id := range ids {
		if _, err := uuid.Parse(id); err != nil {
			fields["/site_ids"] = "must be site ids of this organisation"
			return nil
		}
	}
	ids = unique(ids)
	n, err := tx.CountSites(ids)
	if err != nil {
		return err
	}
	if n != len(ids) {
		fields["/site_ids"] = "must be site ids of this organisation"
	}
	return nil
}

func unique(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

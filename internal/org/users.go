package org

import (
	"strings"

	"context"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/auth"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// User as shown to clients: never the password hash.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	SiteIDs   []string  `json:"site_ids"`
	Active    bool      `json:"active"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UserInput creates a user.
type UserInput struct {
	ID       string   `json:"id"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Password string   `json:"password"`
	Role     string   `json:"role"`
	SiteIDs  []string `json:"site_ids"`
}

// UserPatch changes the fields that are set.
type UserPatch struct {
	Email    *string   `json:"email"`
	Name     *string   `json:"name"`
	Password *string   `json:"password"`
	Role     *string   `json:"role"`
	SiteIDs  *[]string `json:"site_ids"`
	Active   *bool     `json:"active"`
	Version  *int64    `json:"version"`
}

// UserFilter narrows ListUsers.
type UserFilter = store.UserFilter

func userView(u store.User) User {
	sites := u.SiteIDs
	if sites == nil {
		sites = []string{}
	}
	return User{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, SiteIDs: sites, Active: u.Active,
		Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// CreateUser adds a user to the caller's organisation.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (User, error) {
	const op = "org.CreateUser"
	fields := map[string]string{}
	user := store.User{ID: checkID(in.ID, fields), Email: checkEmail(fields, in.Email), Name: in.Name,
		Role: in.Role, Active: true, SiteIDs: unique(in.SiteIDs)}
	checkText(fields, "/name", in.Name, true, 200)
	checkPassword(fields, in.Password)
	checkRole(fields, in.Role)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := checkSites(tx, fields, user.SiteIDs); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		hash, err := auth.HashPassword(in.Password, s.bcryptCost)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		user.PasswordHash = hash
		audit.Append(tx, "user.created", "user", user.ID, map[string]any{"email": user.Email, "role": user.Role,
			"site_ids": user.SiteIDs, "active": user.Active})
		if err := tx.CreateUser(&user); err != nil {
			return err
		}
		return recordPeople(tx, nil, user)
	})
	if errs.Is(err, errs.Conflict) {
		return User{}, errs.E(op, errs.Conflict, "a user with this id or email already exists", err)
	}
	return userView(user), errs.Wrap(op, err)
}

// User reads one user of the caller's organisation.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	user, err := s.db.Read(ctx).User(id)
	return userView(user), errs.Wrap("org.User", err)
}

// ListUsers lists users of the caller's organisation.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, page store.Page) ([]User, string, error) {
	rows, next, err := s.db.Read(ctx).ListUsers(f, page)
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = userView(r)
	}
	return out, next, errs.Wrap("org.ListUsers", err)
}

// UpdateUser applies a patch. Deactivating, demoting or changing a password
// ends the user's sessions so that old tokens stop working at once.
func (s *Service) UpdateUser(ctx context.Context, id string, patch UserPatch) (User, error) {
	const op = "org.UpdateUser"
	caller, _ := principal.From(ctx)
	var user store.User
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if user, err = tx.User(id); err != nil {
			return err
		}
		before := user
		expected := user.Version
		if patch.Version != nil {
			expected = *patch.Version
		}
		fields := map[string]string{}
		if patch.Email != nil {
			user.Email = checkEmail(fields, *patch.Email)
		}
		set(&user.Name, patch.Name)
		set(&user.Role, patch.Role)
		set(&user.Active, patch.Active)
		if patch.SiteIDs != nil {
			user.SiteIDs = unique(*patch.SiteIDs)
			if err := checkSites(tx, fields, user.SiteIDs); err != nil {
				return err
			}
		}
		checkText(fields, "/name", user.Name, true, 200)
		checkRole(fields, user.Role)
		if patch.Password != nil {
			checkPassword(fields, *patch.Password)
		}
		if id == caller.UserID && (!user.Active || user.Role != before.Role) {
			fields["/active"] = "admins cannot deactivate or demote themselves"
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		if patch.Password != nil {
			if user.PasswordHash, err = auth.HashPassword(*patch.Password, s.bcryptCost); err != nil {
				return errs.E(op, errs.Internal, err)
			}
		}
		if err := tx.UpdateUser(&user, expected); err != nil {
			return err
		}
		audit.Append(tx, "user.updated", "user", user.ID, userChanges(before, user, patch.Password != nil))
		if err := recordPeople(tx, &before, user); err != nil {
			return err
		}
		if !user.Active || user.Role != before.Role || patch.Password != nil {
			return tx.RevokeUserSessions(user.ID)
		}
		return nil
	})
	if errs.Is(err, errs.Conflict) {
		return User{}, errs.E(op, errs.Conflict, "a user with this email already exists", err)
	}
	return userView(user), errs.Wrap(op, err)
}

// userChanges names what a patch changed, old and new, for the audit log;
// a password change is recorded without the password.
func userChanges(before, after store.User, password bool) map[string]any {
	out := map[string]any{}
	pair := func(name string, old, new any) { out[name] = map[string]any{"from": old, "to": new} }
	if before.Email != after.Email {
		pair("email", before.Email, after.Email)
	}
	if before.Name != after.Name {
		pair("name", before.Name, after.Name)
	}
	if before.Role != after.Role {
		pair("role", before.Role, after.Role)
	}
	if before.Active != after.Active {
		pair("active", before.Active, after.Active)
	}
	if strings.Join(before.SiteIDs, ",") != strings.Join(after.SiteIDs, ",") {
		pair("site_ids", before.SiteIDs, after.SiteIDs)
	}
	if password {
		out["password"] = "changed"
	}
	return out
}

package store

import (
	"sort"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// User is a person with a login: guard, supervisor or admin.
type User struct {
	ID           string
	OrgID        string
	Email        string
	Name         string
	Role         string
	PasswordHash string
	Active       bool
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SiteIDs      []string `gorm:"-"`
}

// CreateUser inserts a user and their site attachments.
func (tx *Tx) CreateUser(user *User) error {
	user.OrgID = tx.orgOf()
	user.CreatedAt, user.UpdatedAt, user.Version = tx.Now, tx.Now, 1
	if err := tx.gorm.Table("users").Omit("SiteIDs").Create(user).Error; err != nil {
		return translate("store.CreateUser", err)
	}
	return tx.SetUserSites(user.ID, user.SiteIDs)
}

// User reads one user of the caller's organisation with their sites.
func (tx *Tx) User(id string) (User, error) {
	var user User
	if err := tx.scoped("users").Where("id = ?", id).Take(&user).Error; err != nil {
		return user, translate("store.User", err)
	}
	sites, err := tx.UserSiteIDs(user.ID)
	user.SiteIDs = sites
	return user, err
}

// UserByEmail finds a user of any organisation for login.
func (tx *Tx) UserByEmail(email string) (User, error) {
	var user User
	err := tx.gorm.Table("users").Where("email = ?", email).Take(&user).Error
	return user, translate("store.UserByEmail", err)
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Role   string
	Active *bool
	SiteID string
	// WorksAt keeps the users who work at a site: attached to it, or
	// administrators (who work everywhere).
	WorksAt string
}

// ListUsers lists the caller's users in id order, with their sites.
func (tx *Tx) ListUsers(f UserFilter, p Page) ([]User, string, error) {
	q := tx.scoped("users")
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if f.SiteID != "" {
		q = q.Where("id IN (?)", tx.gorm.Table("user_sites").Select("user_id").Where("site_id = ?", f.SiteID))
	}
	if f.WorksAt != "" {
		q = q.Where("(role = ? OR id IN (?))", "admin", tx.gorm.Table("user_sites").Select("user_id").Where("site_id = ?", f.WorksAt))
	}
	var users []User
	if err := p.apply(q, "users").Find(&users).Error; err != nil {
		return nil, "", translate("store.ListUsers", err)
	}
	users, next := trim(users, p, func(u User) string { return u.ID })
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	sites, err := tx.sitesOfUsers(ids)
	for i := range users {
		users[i].SiteIDs = sites[users[i].ID]
	}
	return users, next, err
}

// UpdateUser writes user if its version is still expected (compare-and-set).
func (tx *Tx) UpdateUser(user *User, expected int64) error {
	user.UpdatedAt, user.Version = tx.Now, expected+1
	res := tx.scoped("users").Where("id = ? AND version = ?", user.ID, expected).Updates(map[string]any{
		"name": user.Name, "role": user.Role, "password_hash": user.PasswordHash, "email": user.Email,
		"active": user.Active, "version": user.Version, "updated_at": user.UpdatedAt,
	})
	if err := casResult("store.UpdateUser", res.Error, res.RowsAffected); err != nil {
		return err
	}
	return tx.SetUserSites(user.ID, user.SiteIDs)
}

// SetUserSites replaces the sites a user is attached to.
func (tx *Tx) SetUserSites(userID string, siteIDs []string) error {
	const op = "store.SetUserSites"
	if err := tx.scoped("user_sites").Where("user_id = ?", userID).Delete(nil).Error; err != nil {
		return translate(op, err)
	}
	seen := map[string]bool{}
	for _, site := range siteIDs {
		if seen[site] {
			continue
		}
		seen[site] = true
		row := map[string]any{"org_id": tx.orgOf(), "user_id": userID, "site_id": site}
		if err := tx.gorm.Table("user_sites").Create(row).Error; err != nil {
			return translate(op, err)
		}
	}
	return nil
}

// UserSiteIDs lists the sites a user of the caller's organisation is attached to.
func (tx *Tx) UserSiteIDs(userID string) ([]string, error) {
	m, err := tx.sitesOfUsers([]string{userID})
	return m[userID], err
}

func (tx *Tx) sitesOfUsers(userIDs []string) (map[string][]string, error) {
	var rows []struct{ UserID, SiteID string }
	err := tx.scoped("user_sites").Select("user_id, site_id").Where("user_id IN ?", userIDs).Find(&rows).Error
	if err != nil {
		return nil, translate("store.sitesOfUsers", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.SiteID)
	}
	return sortedSites(out), nil
}

// sortedSites sorts each user's sites, as User answers them.
func sortedSites(byUser map[string][]string) map[string][]string {
	for _, sites := range byUser {
		sort.Strings(sites)
	}
	return byUser
}

// casResult turns a compare-and-set update into NotFound or Stale.
func casResult(op string, err error, rows int64) error {
	if err != nil {
		return translate(op, err)
	}
	if rows == 0 {
		return errs.E(op, errs.Stale, "the record changed since it was read")
	}
	return nil
}

// UserNames maps user ids of the caller's organisation to their names, for
// printed records; ids it does not know are left out.
func (tx *Tx) UserNames(ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct{ ID, Name string }
	err := tx.scoped("users").Select("id, name").Where("id IN ?", ids).Find(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, translate("store.UserNames", err)
}

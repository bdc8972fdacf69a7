package store

import (
	"time"

	"gorm.io/gorm/clause"
)

// AlertSettings is an organisation's webhook and incident policy.
type AlertSettings struct {
	OrgID          string
	WebhookURL     string
	WebhookSecret  string
	IncidentPolicy []byte
	// EmailRecipients is JSON: [{name, email, site_id, levels}].
	EmailRecipients []byte
	Version         int64
	UpdatedAt       time.Time
}

// AlertSettings reads the caller's settings; NotFound when never saved.
func (tx *Tx) AlertSettings() (AlertSettings, error) {
	var row AlertSettings
	err := tx.gorm.Table("alert_settings").Where("org_id = ?", tx.orgOf()).Take(&row).Error
	return row, translate("store.AlertSettings", err)
}

// SaveAlertSettings writes the caller's settings: inserted when expected
// is 0, else compare-and-set on the version.
func (tx *Tx) SaveAlertSettings(row *AlertSettings, expected int64) error {
	row.OrgID, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, expected+1
	if expected == 0 {
		return translate("store.SaveAlertSettings", tx.gorm.Table("alert_settings").Create(row).Error)
	}
	res := tx.gorm.Table("alert_settings").Where("org_id = ? AND version = ?", row.OrgID, expected).Updates(map[string]any{
		"webhook_url": row.WebhookURL, "webhook_secret": row.WebhookSecret, "incident_policy": row.IncidentPolicy,
		"email_recipients": row.EmailRecipients,
		"version":          row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.SaveAlertSettings", res.Error, res.RowsAffected)
}

// Notification tells one user about one event.
type Notification struct {
	ID          string
	OrgID       string
	UserID      string
	EventKey    string
	EventType   string
	SubjectType string
	SubjectID   string
	SiteID      *string
	CreatedAt   time.Time
}

// InsertNotificationIfAbsent inserts row unless the user was already told
// about the event; it reports whether it inserted.
func (tx *Tx) InsertNotificationIfAbsent(row *Notification) (bool, error) {
	row.OrgID, row.CreatedAt = tx.orgOf(), tx.Now
	res := tx.gorm.Table("notifications").Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	return res.RowsAffected == 1, translate("store.InsertNotificationIfAbsent", res.Error)
}

// WebhookDelivery is one outgoing webhook call, retried until delivered.
type WebhookDelivery struct {
	ID           string
	OrgID        string
	EventKey     string
	EventType    string
	SubjectType  string
	SubjectID    string
	Status       string
	Attempts     int
	LastError    string
	ClaimedUntil *time.Time
	CreatedAt    time.Time
	DeliveredAt  *time.Time
}

// InsertDeliveryIfAbsent inserts row unless the event already has one; it
// reports whether it inserted.
func (tx *Tx) InsertDeliveryIfAbsent(row *WebhookDelivery) (bool, error) {
	row.OrgID, row.CreatedAt = tx.orgOf(), tx.Now
	res := tx.gorm.Table("webhook_deliveries").Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	return res.RowsAffected == 1, translate("store.InsertDeliveryIfAbsent", res.Error)
}

// WebhookDelivery reads one delivery of the caller's organisation.
func (tx *Tx) WebhookDelivery(id string) (WebhookDelivery, error) {
	var row WebhookDelivery
	err := tx.scoped("webhook_deliveries").Where("id = ?", id).Take(&row).Error
	return row, translate("store.WebhookDelivery", err)
}

// ClaimDelivery leases a pending delivery until the given time, so that two
// workers never post the same event at once; false when it is delivered or
// leased by another worker.
func (tx *Tx) ClaimDelivery(id string, until time.Time) (bool, error) {
	res := tx.scoped("webhook_deliveries").Where("id = ? AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= ?)",
		id, tx.Now).Update("claimed_until", until)
	return res.RowsAffected == 1, translate("store.ClaimDelivery", res.Error)
}

// FinishDelivery records one attempt: delivered, or the error it met (and
// the lease is released for the retry).
func (tx *Tx) FinishDelivery(id string, delivered bool, lastError string) error {
	updates := map[string]any{"attempts": gormExpr("attempts + 1"), "last_error": lastError, "claimed_until": nil}
	if delivered {
		updates["status"], updates["delivered_at"] = "delivered", tx.Now
	}
	err := tx.scoped("webhook_deliveries").Where("id = ? AND status = 'pending'", id).Updates(updates).Error
	return translate("store.FinishDelivery", err)
}

// StrandedDeliveries lists pending deliveries never attempted since before
// cutoff: their job was lost between commit and enqueue.
func (tx *Tx) StrandedDeliveries(cutoff time.Time, limit int) ([]WebhookDelivery, error) {
	var rows []WebhookDelivery
	err := tx.scoped("webhook_deliveries").Where("status = 'pending' AND attempts = 0 AND created_at < ?", cutoff).
		Order("created_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.StrandedDeliveries", err)
}

func gormExpr(sql string) clause.Expr { return clause.Expr{SQL: sql} }

// EmailDelivery is one email to one address about one event, with its
// delivery state: queued, sent, or failed after the last attempt.
type EmailDelivery struct {
	ID           string
	OrgID        string
	EventKey     string
	EventType    string
	SubjectType  string
	SubjectID    string
	Recipient    string
	Subject      string
	Body         string
	Status       string
	Attempts     int
	LastError    string
	ClaimedUntil *time.Time
	CreatedAt    time.Time
	SentAt       *time.Time
}

// InsertEmailIfAbsent inserts row unless the address was already told
// about the event; it reports whether it inserted.
func (tx *Tx) InsertEmailIfAbsent(row *EmailDelivery) (bool, error) {
	row.OrgID, row.CreatedAt = tx.orgOf(), tx.Now
	res := tx.gorm.Table("email_deliveries").Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	return res.RowsAffected == 1, translate("store.InsertEmailIfAbsent", res.Error)
}

// EmailDelivery reads one email of the caller's organisation.
func (tx *Tx) EmailDelivery(id string) (EmailDelivery, error) {
	var row EmailDelivery
	err := tx.scoped("email_deliveries").Where("id = ?", id).Take(&row).Error
	return row, translate("store.EmailDelivery", err)
}

// EmailDeliveries lists the emails about one record, oldest first.
func (tx *Tx) EmailDeliveries(subjectID string) ([]EmailDelivery, error) {
	var rows []EmailDelivery
	err := tx.scoped("email_deliveries").Where("subject_id = ?", subjectID).Order("created_at, recipient").Find(&rows).Error
	return rows, translate("store.EmailDeliveries", err)
}

// ClaimEmail leases a queued email until the given time, so that two
// workers never send it at once; false when it is sent, failed, or leased.
func (tx *Tx) ClaimEmail(id string, until time.Time) (bool, error) {
	res := tx.scoped("email_deliveries").Where("id = ? AND status = 'queued' AND (claimed_until IS NULL OR claimed_until <= ?)",
		id, tx.Now).Update("claimed_until", until)
	return res.RowsAffected == 1, translate("store.ClaimEmail", res.Error)
}

// FinishEmail records one attempt: sent, or the error it met; after the
// last attempt the email is failed for good.
func (tx *Tx) FinishEmail(id string, sent bool, lastError string, last bool) error {
	updates := map[string]any{"attempts": gormExpr("attempts + 1"), "last_error": lastError, "claimed_until": nil}
	switch {
	case sent:
		updates["status"], updates["sent_at"] = "sent", tx.Now
	case last:
		updates["status"] = "failed"
	}
	err := tx.scoped("email_deliveries").Where("id = ? AND status = 'queued'", id).Updates(updates).Error
	return translate("store.FinishEmail", err)
}

// StrandedEmails lists queued emails never attempted since before cutoff.
func (tx *Tx) StrandedEmails(cutoff time.Time, limit int) ([]EmailDelivery, error) {
	var rows []EmailDelivery
	err := tx.scoped("email_deliveries").Where("status = 'queued' AND attempts = 0 AND created_at < ?", cutoff).
		Order("created_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.StrandedEmails", err)
}

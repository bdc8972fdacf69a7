package org

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Device as shown to clients.
type Device struct {
	ID         string     `json:"id"`
	DeviceID   string     `json:"device_id"` // the key the app sends at login
	Name       string     `json:"name"`
	Platform   string     `json:"platform"`
	UserID     *string    `json:"user_id"`
	Active     bool       `json:"active"`
	Version    int64      `json:"version"`
	LastSeenAt *time.Time `json:"last_seen_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// DeviceInput registers a device ahead of its first login.
type DeviceInput struct {
	ID       string  `json:"id"`
	DeviceID string  `json:"device_id"`
	Name     string  `json:"name"`
	Platform string  `json:"platform"`
	UserID   *string `json:"user_id"`
}

// DevicePatch changes the fields that are set; active=false locks the
// device out at once.
type DevicePatch struct {
	Name     *string `json:"name"`
	Platform *string `json:"platform"`
	Active   *bool   `json:"active"`
	Version  *int64  `json:"version"`
}

func deviceView(d store.Device) Device {
	return Device{ID: d.ID, DeviceID: d.DeviceKey, Name: d.Name, Platform: d.Platform, UserID: d.UserID,
		Active: d.Active, Version: d.Version, LastSeenAt: d.LastSeenAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func checkDevice(fields map[string]string, d store.Device) {
	checkText(fields, "/device_id", d.DeviceKey, true, 200)
	checkText(fields, "/name", d.Name, false, 200)
	checkText(fields, "/platform", d.Platform, false, 50)
}

// CreateDevice registers a device in the caller's organisation.
func (s *Service) CreateDevice(ctx context.Context, in DeviceInput) (Device, error) {
	const op = "org.CreateDevice"
	fields := map[string]string{}
	device := store.Device{ID: checkID(in.ID, fields), DeviceKey: in.DeviceID, Name: in.Name, Platform: in.Platform,
		UserID: in.UserID, Active: true}
	checkDevice(fields, device)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if in.UserID != nil {
			if _, err := uuid.Parse(*in.UserID); err != nil {
				fields["/user_id"] = "must be a user id of this organisation"
			} else if _, err := tx.User(*in.UserID); errs.Is(err, errs.NotFound) {
				fields["/user_id"] = "must be a user id of this organisation"
			} else if err != nil {
				return err
			}
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		audit.Append(tx, "device.created", "device", device.ID, map[string]any{"device_key": device.DeviceKey, "user_id": device.UserID})
		return tx.CreateDevice(&device)
	})
	if errs.Is(err, errs.Conflict) {
		return Device{}, errs.E(op, errs.Conflict, "a device with this id already exists", err)
	}
	return deviceView(device), errs.Wrap(op, err)
}

// Device reads one device.
func (s *Service) Device(ctx context.Context, id string) (Device, error) {
	d, err := s.db.Read(ctx).Device(id)
	return deviceView(d), errs.Wrap("org.Device", err)
}

// ListDevices lists the caller's devices.
func (s *Service) ListDevices(ctx context.Context, f store.DeviceFilter, page store.Page) ([]Device, string, error) {
	rows, next, err := s.db.Read(ctx).ListDevices(f, page)
	out := make([]Device, len(rows))
	for i, r := range rows {
		out[i] = deviceView(r)
	}
	return out, next, errs.Wrap("org.ListDevices", err)
}

// UpdateDevice applies a patch.
func (s *Service) UpdateDevice(ctx context.Context, id string, patch DevicePatch) (Device, error) {
	const op = "org.UpdateDevice"
	var device store.Device
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if device, err = tx.Device(id); err != nil {
			return err
		}
		expected := device.Version
		if patch.Version != nil {
			expected = *patch.Version
		}
		set(&device.Name, patch.Name)
		set(&device.Platform, patch.Platform)
		set(&device.Active, patch.Active)
		fields := map[string]string{}
		checkDevice(fields, device)
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		audit.Append(tx, "device.updated", "device", device.ID, map[string]any{"name": device.Name, "platform": device.Platform,
			"active": device.Active})
		return tx.UpdateDevice(&device, expected)
	})
	return deviceView(device), errs.Wrap(op, err)
}

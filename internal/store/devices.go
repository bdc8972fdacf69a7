package store

import "time"

// Device is a phone or tablet, known by the key its app generated.
type Device struct {
	ID         string
	OrgID      string
	DeviceKey  string
	Name       string
	Platform   string
	UserID     *string
	Active     bool
	Version    int64
	LastSeenAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CreateDevice inserts a device in the caller's organisation.
func (tx *Tx) CreateDevice(device *Device) error {
	device.OrgID = tx.orgOf()
	device.CreatedAt, device.UpdatedAt, device.Version = tx.Now, tx.Now, 1
	return translate("store.CreateDevice", tx.gorm.Table("devices").Create(device).Error)
}

// Device reads one device of the caller's organisation.
func (tx *Tx) Device(id string) (Device, error) {
	var device Device
	err := tx.scoped("devices").Where("id = ?", id).Take(&device).Error
	return device, translate("store.Device", err)
}

// DeviceByKey finds a device of the caller's organisation by its app key.
func (tx *Tx) DeviceByKey(key string) (Device, error) {
	var device Device
	err := tx.scoped("devices").Where("device_key = ?", key).Take(&device).Error
	return device, translate("store.DeviceByKey", err)
}

// DeviceFilter narrows ListDevices.
type DeviceFilter struct {
	UserID string
	Active *bool
}

// ListDevices lists the caller's devices in id order.
func (tx *Tx) ListDevices(f DeviceFilter, p Page) ([]Device, string, error) {
	q := tx.scoped("devices")
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var devices []Device
	if err := p.apply(q, "devices").Find(&devices).Error; err != nil {
		return nil, "", translate("store.ListDevices", err)
	}
	devices, next := trim(devices, p, func(d Device) string { return d.ID })
	return devices, next, nil
}

// UpdateDevice writes device if its version is still expected.
func (tx *Tx) UpdateDevice(device *Device, expected int64) error {
	device.UpdatedAt, device.Version = tx.Now, expected+1
	res := tx.scoped("devices").Where("id = ? AND version = ?", device.ID, expected).Updates(map[string]any{
		"name": device.Name, "platform": device.Platform, "user_id": device.UserID, "active": device.Active,
		"last_seen_at": device.LastSeenAt, "version": device.Version, "updated_at": device.UpdatedAt,
	})
	return casResult("store.UpdateDevice", res.Error, res.RowsAffected)
}

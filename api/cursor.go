package api

import (
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// List cursors are opaque to clients: a versioned wrapper around the last id.
func encodeCursor(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + lastID))
}

func decodeCursor(cursor string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !strings.HasPrefix(string(raw), "v1:") {
		return "", errors.New("bad cursor")
	}
	id := strings.TrimPrefix(string(raw), "v1:")
	if _, err := uuid.Parse(id); err != nil {
		return "", errors.New("bad cursor")
	}
	return id, nil
}

// decodePartCursor decodes a cursor of a list made of two parts (the
// handover register: inspections, then shift handovers), whose second part
// is marked "s:" and may start with no id; anything else as decodeCursor.
func decodePartCursor(cursor string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	rest, second := strings.CutPrefix(string(raw), "v1:s:")
	if err != nil || !second {
		return decodeCursor(cursor)
	}
	if rest != "" {
		if _, err := uuid.Parse(rest); err != nil {
			return "", errors.New("bad cursor")
		}
	}
	return "s:" + rest, nil
}

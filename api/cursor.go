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

package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
)

// forgeToken signs an access token by hand (HS256), so that tests can make
// tokens the server must refuse without a JWT library outside internal/auth.
func forgeToken(signingKey, kidKey []byte, acc apitest.Account, orgID, sessionID string, expires time.Time) string {
	sum := sha256.Sum256(kidKey)
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": hex.EncodeToString(sum[:6])})
	claims, _ := json.Marshal(map[string]any{"iss": "patrolsync", "sub": acc.User.ID, "org": orgID, "role": acc.User.Role,
		"sid": sessionID, "did": "x", "iat": expires.Add(-15 * time.Minute).Unix(), "exp": expires.Unix(), "jti": newID()})
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, signingKey)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// sessionOf reads the session id out of a real access token.
func sessionOf(token string) string {
	var claims struct {
		SID string `json:"sid"`
	}
	parts := splitDots(token)
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(raw, &claims)
	return claims.SID
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

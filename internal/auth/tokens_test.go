package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestAccessTokens(t *testing.T) {
	key, other := []byte(strings.Repeat("k", 32)), []byte(strings.Repeat("o", 32))
	signer, err := NewSigner([][]byte{key}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	good, err := signer.issue("user", "org", "guard", "session", "device")
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := NewSigner([][]byte{other}, time.Minute)
	forged, _ := stranger.issue("user", "org", "guard", "session", "device")

	past, _ := NewSigner([][]byte{key}, time.Minute)
	past.now = func() time.Time { return time.Now().Add(-time.Hour) }
	expired, _ := past.issue("user", "org", "guard", "session", "device")

	none := jwt.NewWithClaims(jwt.SigningMethodNone, claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Subject: "user",
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, OrgID: "org", SessionID: "session"})
	none.Header["kid"] = keyID(key)
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)

	// An HS384 token under the right key is still refused: the algorithm is pinned.
	hs384 := jwt.NewWithClaims(jwt.SigningMethodHS384, claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Subject: "user",
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, OrgID: "org", SessionID: "session"})
	hs384.Header["kid"] = keyID(key)
	otherAlg, _ := hs384.SignedString(key)

	noExpiry := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Subject: "user"},
		OrgID: "org", SessionID: "session"})
	noExpiry.Header["kid"] = keyID(key)
	forever, _ := noExpiry.SignedString(key)

	cases := []struct {
		name  string
		token string
		ok    bool
	}{
		{"valid", good, true},
		{"signed with another key", forged, false},
		{"expired", expired, false},
		{"alg none", unsigned, false},
		{"another algorithm", otherAlg, false},
		{"no expiry", forever, false},
		{"garbage", "a.b.c", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := signer.parse(tc.token)
			if tc.ok != (err == nil) {
				t.Fatalf("parse: ok=%v, err=%v", tc.ok, err)
			}
			if tc.ok && (c.Subject != "user" || c.SessionID != "session" || c.Role != "guard") {
				t.Fatalf("claims = %+v", c)
			}
		})
	}
}

// After a key rotation, tokens signed with the old key still verify until
// they expire; new tokens use the new key.
func TestKeyRotation(t *testing.T) {
	oldKey, newKey := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32))
	before, _ := NewSigner([][]byte{oldKey}, time.Minute)
	token, _ := before.issue("u", "o", "admin", "s", "d")
	after, _ := NewSigner([][]byte{newKey, oldKey}, time.Minute)
	if _, err := after.parse(token); err != nil {
		t.Fatalf("old-key token refused after rotation: %v", err)
	}
	fresh, _ := after.issue("u", "o", "admin", "s", "d")
	retired, _ := NewSigner([][]byte{newKey}, time.Minute)
	if _, err := retired.parse(fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := retired.parse(token); err == nil {
		t.Fatal("token of a retired key still verifies")
	}
}

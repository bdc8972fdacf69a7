package auth

import (
	"strconv"
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

// A token that verified is taken from the signer's memory of verified
// tokens, but only as long as it has not expired, and only as the very
// same text: one changed byte is parsed afresh and refused.
func TestVerifiedTokensAreRememberedUntilTheyExpire(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	signer, _ := NewSigner([][]byte{key}, time.Minute)
	now := time.Now()
	signer.now = func() time.Time { return now }
	token, _ := signer.issue("user", "org", "guard", "session", "device")
	for range 2 { // the second parse is the remembered one
		if c, err := signer.parse(token); err != nil || c.Subject != "user" || c.SessionID != "session" {
			t.Fatalf("parse = %+v, %v", c, err)
		}
	}
	if len(signer.verified.tokens) != 1 {
		t.Fatalf("remembered %d tokens, want 1", len(signer.verified.tokens))
	}
	dot := strings.LastIndexByte(token, '.')
	flipped := []byte(token)
	flipped[dot+1] ^= 1 // another signature, the same claims
	if _, err := signer.parse(string(flipped)); err == nil {
		t.Fatal("a token with another signature was taken for the remembered one")
	}
	now = now.Add(time.Minute + leeway - time.Second) // within the leeway: still good
	if _, err := signer.parse(token); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := signer.parse(token); err == nil {
		t.Fatal("an expired token was taken because it had verified before")
	}
}

// The signer remembers at most verifiedAtMost tokens, dropping the expired
// ones first.
func TestVerifiedTokensAreBounded(t *testing.T) {
	v := &verifiedTokens{tokens: map[string]claims{}}
	now := time.Now()
	live := claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}}
	dead := claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(-time.Minute))}}
	for i := range verifiedAtMost {
		c := live
		if i%2 == 0 {
			c = dead
		}
		v.tokens[strconv.Itoa(i)] = c
	}
	v.put("new", live, now)
	if len(v.tokens) != verifiedAtMost/2+1 {
		t.Fatalf("after one put on a full memory with half expired: %d tokens, want %d", len(v.tokens), verifiedAtMost/2+1)
	}
	for i := range verifiedAtMost {
		v.put("more"+strconv.Itoa(i), live, now)
	}
	if len(v.tokens) != verifiedAtMost {
		t.Fatalf("%d tokens, want at most %d", len(v.tokens), verifiedAtMost)
	}
	if _, ok := v.get("more"+strconv.Itoa(verifiedAtMost-1), now); !ok {
		t.Fatal("the last token put is not remembered")
	}
}

package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const issuer = "patrolsync"

// claims are what an access token says about its bearer. The server
// re-reads role and standing from the session on every request; the token
// only names who and which session.
type claims struct {
	jwt.RegisteredClaims
	OrgID     string `json:"org"`
	Role      string `json:"role"`
	SessionID string `json:"sid"`
	DeviceID  string `json:"did"`
}

// Signer issues and verifies HS256 access tokens. The first key signs; every
// key verifies, so a rotated-out key keeps working until its tokens expire.
type Signer struct {
	keys     map[string][]byte
	current  string
	ttl      time.Duration
	now      func() time.Time
	verified *verifiedTokens
}

// NewSigner builds a Signer from secrets, the signing one first.
func NewSigner(secrets [][]byte, ttl time.Duration) (*Signer, error) {
	if len(secrets) == 0 {
		return nil, errors.New("auth: no signing secret")
	}
	s := &Signer{keys: map[string][]byte{}, ttl: ttl, now: time.Now, verified: &verifiedTokens{tokens: map[string]claims{}}}
	for i, secret := range secrets {
		id := keyID(secret)
		s.keys[id] = secret
		if i == 0 {
			s.current = id
		}
	}
	return s, nil
}

// keyID names a secret without revealing it.
func keyID(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:6])
}

func (s *Signer) issue(userID, orgID, role, sessionID, deviceID string) (string, error) {
	now := s.now()
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   userID,
			ID:        uuid.NewString(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)),
		},
		OrgID: orgID, Role: role, SessionID: sessionID, DeviceID: deviceID,
	})
	token.Header["kid"] = s.current
	return token.SignedString(s.keys[s.current])
}

// leeway is how far past its expiry a token is still taken: the clocks of
// two replicas may differ by a few seconds.
const leeway = 5 * time.Second

// parse verifies signature (HS256 only: no "none", no RS/HS confusion),
// issuer and expiry. A token that verified before is taken from
// s.verified, its expiry checked again.
func (s *Signer) parse(raw string) (claims, error) {
	now := s.now()
	if c, ok := s.verified.get(raw, now); ok {
		return c, nil
	}
	var c claims
	_, err := jwt.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, ok := s.keys[kid]
		if !ok {
			return nil, errors.New("unknown key id")
		}
		return key, nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(issuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now), jwt.WithLeeway(leeway))
	if err == nil && (c.Subject == "" || c.SessionID == "" || c.OrgID == "") {
		err = errors.New("token lacks subject, session or org")
	}
	if err == nil {
		s.verified.put(raw, c, now)
	}
	return c, err
}

// verifiedTokens are the tokens that verified, by their whole text, until
// they expire. A device sends the same token with every request of its
// lifetime, and parsing it again (base64, two JSON decodes and an HMAC) was
// 1.4 % of the server's CPU under push load (issue 17). A token that
// differs in any byte is not found and is parsed afresh; a Signer's keys
// never change, so what verified once verifies until it expires.
type verifiedTokens struct {
	mu     sync.Mutex
	tokens map[string]claims
}

// verifiedAtMost bounds the tokens kept: a token is a few hundred bytes.
const verifiedAtMost = 10_000

func (v *verifiedTokens) get(raw string, now time.Time) (claims, bool) {
	v.mu.Lock()
	c, ok := v.tokens[raw]
	v.mu.Unlock()
	if !ok || !unexpired(c, now) {
		return claims{}, false
	}
	return c, true
}

func (v *verifiedTokens) put(raw string, c claims, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.tokens) >= verifiedAtMost {
		for old, oc := range v.tokens { // the expired first, then any
			if !unexpired(oc, now) {
				delete(v.tokens, old)
			}
		}
		for old := range v.tokens {
			if len(v.tokens) < verifiedAtMost {
				break
			}
			delete(v.tokens, old)
		}
	}
	v.tokens[raw] = c
}

// unexpired is jwt's own test of the expiry, with the same leeway.
func unexpired(c claims, now time.Time) bool {
	return c.ExpiresAt != nil && now.Before(c.ExpiresAt.Time.Add(leeway))
}

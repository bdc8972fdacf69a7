package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
	keys    map[string][]byte
	current string
	ttl     time.Duration
	now     func() time.Time
}

// NewSigner builds a Signer from secrets, the signing one first.
func NewSigner(secrets [][]byte, ttl time.Duration) (*Signer, error) {
	if len(secrets) == 0 {
		return nil, errors.New("auth: no signing secret")
	}
	s := &Signer{keys: map[string][]byte{}, ttl: ttl, now: time.Now}
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

// parse verifies signature (HS256 only: no "none", no RS/HS confusion),
// issuer and expiry.
func (s *Signer) parse(raw string) (claims, error) {
	var c claims
	_, err := jwt.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, ok := s.keys[kid]
		if !ok {
			return nil, errors.New("unknown key id")
		}
		return key, nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(issuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now), jwt.WithLeeway(5*time.Second))
	if err == nil && (c.Subject == "" || c.SessionID == "" || c.OrgID == "") {
		err = errors.New("token lacks subject, session or org")
	}
	return c, err
}

package auth

import (
	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLength is the shortest password accepted for a new account.
const MinPasswordLength = 10

// HashPassword hashes with bcrypt at cost (10 in production, lower in tests).
func HashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(h), err
}

// checkPassword compares in constant time for a given hash.
func checkPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// decoyHash is compared against when the account does not exist, so that a
// missing account takes as long to refuse as a wrong password.
var decoyHash, _ = bcrypt.GenerateFromPassword([]byte("decoy-password-for-timing"), bcrypt.DefaultCost)

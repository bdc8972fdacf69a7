package auth

import (
	"fmt"

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

// decoyHash makes the hash compared against when the account does not
// exist, so that a missing account takes as long to refuse as a wrong
// password. It is made at the cost new passwords are hashed at: a decoy of
// another cost would make unknown accounts refuse faster or slower than
// known ones, the very difference it is there to hide.
func decoyHash(cost int) (string, error) {
	hash, err := HashPassword("decoy-password-for-timing", cost)
	if err != nil {
		return "", fmt.Errorf("decoy password hash at cost %d: %w", cost, err)
	}
	return hash, nil
}

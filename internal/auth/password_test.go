package auth

import (
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// The decoy an unknown account is compared against costs what a real
// password's hash costs, so that refusing an unknown account takes as long
// as refusing a wrong password, in tests (cost 4) as in production (10).
func TestDecoyHashCostsWhatPasswordsCost(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cost, want int
	}{
		{"tests' cost", 4, 4},
		{"a raised test cost", 6, 6},
		// bcrypt hashes below its minimum at its default, passwords as the decoy.
		{"below bcrypt's minimum", 1, bcrypt.DefaultCost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewService(nil, nil, time.Hour, DefaultThrottle, tc.cost)
			if err != nil {
				t.Fatal(err)
			}
			real, err := HashPassword("a real password", tc.cost)
			if err != nil {
				t.Fatal(err)
			}
			decoyCost, err := bcrypt.Cost([]byte(s.decoyHash))
			if err != nil {
				t.Fatalf("the decoy %q is no bcrypt hash: %v", s.decoyHash, err)
			}
			realCost, _ := bcrypt.Cost([]byte(real))
			if decoyCost != tc.want || realCost != tc.want {
				t.Fatalf("configured cost %d: the decoy costs %d, a password's hash %d; want both %d",
					tc.cost, decoyCost, realCost, tc.want)
			}
			if checkPassword(s.decoyHash, "a real password") {
				t.Fatal("the decoy matched a password")
			}
		})
	}
	if _, err := NewService(nil, nil, time.Hour, DefaultThrottle, bcrypt.MaxCost+1); err == nil {
		t.Fatal("a cost bcrypt refuses built a service")
	}
}

package checklists

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// CountersignMessageVersion is the first line of every countersign message;
// a different message layout gets a different first line.
const CountersignMessageVersion = "patrolsync-countersign-v1"

// CountersignSubject is what a countersigner's phone signs with its Ed25519
// key to prove that this user agreed to this answer of this inspection. The
// phone of the inspector hands the countersigner's phone the first four
// fields (by QR); the countersigner's phone adds its user, key and time and
// hands back the signature.
type CountersignSubject struct {
	InspectionID string
	// Path is the item's JSON pointer: /two_at_counter, or
	// /cash_boxes/1/sealed for an item of a group repeat.
	Path         string
	AnswerSHA256 string // AnswerDigest of the countersigned answer
	UserID       string
	KeyID        string
	SignedAt     string // RFC 3339, exactly as carried in the answer
}

// Message returns the exact bytes that are signed: seven lines of UTF-8
// joined by "\n", without a final newline, ids in lower case:
//
//	patrolsync-countersign-v1
//	inspection_id=<uuid>
//	item=<path>
//	answer_sha256=<64 hex digits>
//	user_id=<uuid>
//	key_id=<uuid>
//	signed_at=<RFC 3339 time>
func (subject CountersignSubject) Message() []byte {
	return []byte(strings.Join([]string{
		CountersignMessageVersion,
		"inspection_id=" + strings.ToLower(subject.InspectionID),
		"item=" + subject.Path,
		"answer_sha256=" + strings.ToLower(subject.AnswerSHA256),
		"user_id=" + strings.ToLower(subject.UserID),
		"key_id=" + strings.ToLower(subject.KeyID),
		"signed_at=" + subject.SignedAt,
	}, "\n"))
}

// AnswerDigest is the SHA-256 (hex) of what a countersigner agrees to: the
// answer's value, note and media, without its countersign (which carries
// the proof itself) and without repeats (a group is never countersigned).
// The JSON is canonical (see CanonicalJSON), so the phone and the server
// compute the same digest from the same answer however it was built.
func AnswerDigest(answer Answer) string {
	subject := Answer{Value: answer.Value, Note: answer.Note, Media: answer.Media}
	canonical, direct := canonicalAnswer(subject)
	var err error
	if !direct {
		canonical, err = CanonicalJSON(subject)
	}
	if err != nil {
		// Only a Go-built value JSON cannot carry gets here; it can never
		// match what a device signed, which is the right answer.
		canonical = []byte(err.Error())
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// ContentDigest is the SHA-256 (hex) of CanonicalJSON(v): the digest of a
// record's content that two people sign, such as a shift handover's
// content_digest, computed the same on the phone (the engine's
// contentDigest call) and on the server.
func ContentDigest(v any) (string, error) {
	canonical, err := CanonicalJSON(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

// CountersignVerdict is the server's judgement of one countersignature:
// verified, or the code and reason it could not be.
type CountersignVerdict struct {
	Verified bool   `json:"verified"`
	Code     string `json:"code,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// UserName is the countersigner's name when the user is known, so that
	// reports can show who countersigned.
	UserName string `json:"user_name,omitempty"`
}

// Countersign verdict codes, besides countersign_self.
const (
	CodeCountersignUnverified  = "countersign_unverified"
	CodeCountersignNoProof     = "countersign_no_proof"
	CodeCountersignUnknownUser = "countersign_unknown_user"
	CodeCountersignInactive    = "countersign_inactive"
	CodeCountersignSite        = "countersign_site"
	CodeCountersignRole        = "countersign_role"
	CodeCountersignUnknownKey  = "countersign_unknown_key"
	CodeCountersignKeyRevoked  = "countersign_key_revoked"
	CodeCountersignSignature   = "countersign_signature"
)

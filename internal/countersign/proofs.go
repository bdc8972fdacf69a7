package countersign

import (
	"encoding/base64"
	"sync"
	"time"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/patrolsync/patrolsync/checklists"
)

// Signatures are checked with curve25519-voi's Ed25519 under the standard
// library's rules (VerifyOptionsStdLib: cofactorless, small-order and
// non-canonical keys allowed, non-canonical S refused), so every verdict
// is crypto/ed25519.Verify's (FuzzVerifyIsTheStandardLibrarys). It takes
// about 60 % of crypto/ed25519's time, and 55 % with the key's point
// decompressed once and kept (expandedKeys): a site's few countersigners
// sign item after item, inspection after inspection (issue 17: verifying
// was 13 % of the server's CPU under push load).
var stdlibRules = &voi.Options{Verify: voi.VerifyOptionsStdLib}

// expandedKeys are the public keys met, decompressed, by their base64
// text. A key's text never changes (a revoked key keeps its row), and the
// expanded form is only a faster way to check against that text, so
// keeping it across organisations and transactions is safe.
var expandedKeys = keyCache{keys: map[string]*voi.ExpandedPublicKey{}}

// keyCacheLimit bounds expandedKeys (about 1.5 KiB a key): past it the
// cache starts again, which costs only the decompressions.
const keyCacheLimit = 4096

type keyCache struct {
	mu   sync.RWMutex
	keys map[string]*voi.ExpandedPublicKey
}

// expanded is the key of text, or false when text is not a public key.
func (c *keyCache) expanded(text string) (*voi.ExpandedPublicKey, bool) {
	c.mu.RLock()
	key, ok := c.keys[text]
	c.mu.RUnlock()
	if ok {
		return key, true
	}
	public, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(public) != voi.PublicKeySize {
		return nil, false
	}
	// NewExpandedPublicKey refuses a point that does not decompress, which
	// crypto/ed25519.Verify refuses too (with every signature).
	key, err = voi.NewExpandedPublicKey(voi.PublicKey(public))
	if err != nil {
		return nil, false
	}
	c.mu.Lock()
	if len(c.keys) >= keyCacheLimit {
		clear(c.keys)
	}
	c.keys[text] = key
	c.mu.Unlock()
	return key, true
}

// proof is one countersignature ready to be checked: its key, the exact
// message of checklists.CountersignSubject, and the signature.
type proof struct {
	publicKey string // base64, as registered
	message   []byte
	signature []byte
}

// proofOf is what check claims under publicKey; false when it cannot hold
// whatever the arithmetic says (a malformed signature or time).
func proofOf(publicKey string, subject Subject, check checklists.CountersignCheck) (proof, bool) {
	signature, err := base64.StdEncoding.DecodeString(check.Signature)
	if err != nil || len(signature) != voi.SignatureSize {
		return proof{}, false
	}
	if _, err := time.Parse(time.RFC3339, check.SignedAt); err != nil {
		return proof{}, false
	}
	message := checklists.CountersignSubject{InspectionID: subject.InspectionID, Path: check.Path,
		AnswerSHA256: check.AnswerSHA256, UserID: check.UserID, KeyID: check.KeyID, SignedAt: check.SignedAt}.Message()
	return proof{publicKey: publicKey, message: message, signature: signature}, true
}

func (p proof) holds() bool {
	key, ok := expandedKeys.expanded(p.publicKey)
	return ok && voi.VerifyExpandedWithOptions(key, p.message, p.signature, stdlibRules)
}

// same reports whether p and other are the same claim: the same key,
// message and signature.
func (p proof) same(other proof) bool {
	return p.publicKey == other.publicKey && string(p.message) == string(other.message) &&
		string(p.signature) == string(other.signature)
}

// Proofs checks countersignatures ahead, each in a goroutine of its own,
// while the caller goes on. A push answers its two-person items before it
// submits the inspection, and the submission's evaluation judges them one
// after another inside the organisation's one transaction at a time
// (internal/syncer's group commit): checking each signature when its
// answer arrives uses the machine's other core for work that otherwise
// waits its turn. Judge uses a verdict ahead only for exactly the claim it
// was made for (the key the transaction reads, the inspection, item,
// answer, countersigner, time and signature), so what arrives in between
// (a changed answer, another key) only makes Judge check for itself. The
// zero value is ready; a nil *Proofs checks everything in place.
type Proofs struct {
	mu    sync.Mutex
	ahead map[aheadKey]*verdictAhead
}

type aheadKey struct{ inspectionID, path string }

type verdictAhead struct {
	proof proof
	done  chan struct{} // closed when holds is known
	holds bool
}

// Start checks ahead the countersignature of answer at path of the
// subject's inspection, as if publicKey were its key. It replaces what
// was started for the same item before: only an item's last answer is
// evaluated.
func (p *Proofs) Start(publicKey string, subject Subject, path string, answer checklists.Answer) {
	given := answer.Countersign
	if p == nil || given == nil || given.Signature == "" || given.KeyID == "" {
		return
	}
	ahead := &verdictAhead{done: make(chan struct{})}
	p.mu.Lock()
	if p.ahead == nil {
		p.ahead = map[aheadKey]*verdictAhead{}
	}
	p.ahead[aheadKey{subject.InspectionID, path}] = ahead
	p.mu.Unlock()
	go func() {
		defer close(ahead.done)
		check := checklists.CountersignCheck{Path: path, UserID: given.UserID, KeyID: given.KeyID,
			SignedAt: given.SignedAt, Signature: given.Signature, AnswerSHA256: checklists.AnswerDigest(answer)}
		var ok bool
		ahead.proof, ok = proofOf(publicKey, subject, check)
		ahead.holds = ok && ahead.proof.holds()
	}()
}

// holds reports whether the signature of check verifies under publicKey:
// from the verdict started ahead for exactly this claim, waiting for it
// if it is still being made, or checked here.
func (p *Proofs) holds(publicKey string, subject Subject, check checklists.CountersignCheck) bool {
	claim, ok := proofOf(publicKey, subject, check)
	if !ok {
		return false
	}
	if p != nil {
		p.mu.Lock()
		ahead := p.ahead[aheadKey{subject.InspectionID, check.Path}]
		p.mu.Unlock()
		if ahead != nil {
			<-ahead.done
			if ahead.proof.same(claim) {
				return ahead.holds
			}
		}
	}
	return claim.holds()
}

package countersign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// fakeOrg is one organisation's users and keys.
type fakeOrg struct {
	users map[string]store.User
	keys  map[string]store.UserKey
}

func (o fakeOrg) User(id string) (store.User, error) {
	if u, ok := o.users[id]; ok {
		return u, nil
	}
	return store.User{}, errs.E("fake.User", errs.NotFound, "not found")
}

func (o fakeOrg) UserKey(id string) (store.UserKey, error) {
	if k, ok := o.keys[id]; ok {
		return k, nil
	}
	return store.UserKey{}, errs.E("fake.UserKey", errs.NotFound, "not found")
}

// The worked example of docs/sync-protocol.md, "Countersignatures", holds:
// the digest, the message and the signature are what the code makes, and
// the server verifies the proof.
func TestCountersignWorkedExample(t *testing.T) {
	raw, err := os.ReadFile("../../docs/sync-protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	_, hashSection, _ := strings.Cut(doc, "## Content hash\n")
	_, section, found := strings.Cut(doc, "## Countersignatures\n")
	section, _, _ = strings.Cut(section, "\n## ") // the section ends where the next begins
	_, example, found2 := strings.Cut(section, "### Worked example\n")
	if !found || !found2 {
		t.Fatal("no worked example under Countersignatures")
	}
	find := func(pattern string) string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(example)
		if m == nil {
			t.Fatalf("the example lacks %s", pattern)
		}
		return m[1]
	}
	seed, _ := hex.DecodeString(find("seed `([0-9a-f]{64})`"))
	public, keyID, userID := find("public key `([^`]+)`"), find("registered as key\\s+`([^`]+)`"), find("of user `([^`]+)`")
	inspectionID := find("in inspection\\s+`([^`]+)`")
	digest, signature := find("that is `([0-9a-f]{64})`"), find("its signature is `([^`]+)`")
	blocks := strings.Split(example, "```text\n")
	if len(blocks) != 3 {
		t.Fatalf("want two text blocks, got %d", len(blocks)-1)
	}
	preimage, _, _ := strings.Cut(blocks[1], "\n```")
	message, _, _ := strings.Cut(blocks[2], "\n```")

	_, answersBlock, _ := strings.Cut(hashSection, "```json\n")
	answersBlock, _, _ = strings.Cut(answersBlock, "\n```")
	var answers map[string]checklists.Answer
	if err := json.Unmarshal([]byte(answersBlock), &answers); err != nil {
		t.Fatal(err)
	}
	answer := answers["cash_counted"]
	canonical, _ := checklists.CanonicalJSON(checklists.Answer{Value: answer.Value, Note: answer.Note, Media: answer.Media})
	if string(canonical) != preimage || checklists.AnswerDigest(answer) != digest {
		t.Errorf("answer digest: doc %s over %s; code %s over %s", digest, preimage, checklists.AnswerDigest(answer), canonical)
	}
	private := ed25519.NewKeyFromSeed(seed)
	if base64.StdEncoding.EncodeToString(private.Public().(ed25519.PublicKey)) != public {
		t.Error("the documented public key is not the seed's")
	}
	subject := checklists.CountersignSubject{InspectionID: inspectionID, Path: "/cash_counted", AnswerSHA256: digest,
		UserID: userID, KeyID: keyID, SignedAt: answer.Countersign.SignedAt}
	if string(subject.Message()) != message {
		t.Errorf("message:\n%s\nwant (doc):\n%s", subject.Message(), message)
	}
	if got := base64.StdEncoding.EncodeToString(ed25519.Sign(private, subject.Message())); got != signature || answer.Countersign.Signature != signature {
		t.Errorf("signature %s, doc %s, example answer %s", got, signature, answer.Countersign.Signature)
	}

	org := fakeOrg{users: map[string]store.User{userID: {ID: userID, Name: "Wang Fang", Role: "guard", Active: true, SiteIDs: []string{"site"}}},
		keys: map[string]store.UserKey{keyID: {ID: keyID, UserID: userID, PublicKey: public}}}
	check := checklists.CountersignCheck{Path: "/cash_counted", UserID: userID, Role: "any", KeyID: keyID,
		SignedAt: answer.Countersign.SignedAt, Signature: signature, AnswerSHA256: digest}
	verdict, err := Judge(org, nil, Subject{InspectionID: inspectionID, SiteID: "site", InspectorID: "someone else"}, check)
	if err != nil || !verdict.Verified || verdict.UserName != "Wang Fang" {
		t.Fatalf("the documented proof does not verify: %+v %v", verdict, err)
	}
}

// Each rule refuses with its own code, and a database fault is an error,
// never a verdict.
func TestVerifyRefusals(t *testing.T) {
	public, private, _ := ed25519.GenerateKey(nil)
	user, key, site, inspection := "0194f2a0-4444-7000-8000-000000000004", "0194f2a0-5555-7000-8000-000000000005", "site", "0194f2a0-2222-7000-8000-000000000002"
	signed := func(path, digest string) checklists.CountersignCheck {
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339)
		message := checklists.CountersignSubject{InspectionID: inspection, Path: path, AnswerSHA256: digest, UserID: user, KeyID: key, SignedAt: at}.Message()
		return checklists.CountersignCheck{Path: path, UserID: user, Role: "supervisor", KeyID: key, SignedAt: at, AnswerSHA256: digest,
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(private, message))}
	}
	digest := checklists.AnswerDigest(checklists.Answer{Value: "yes"})
	good := func() fakeOrg {
		return fakeOrg{users: map[string]store.User{user: {ID: user, Name: "Li", Role: "supervisor", Active: true, SiteIDs: []string{site}}},
			keys: map[string]store.UserKey{key: {ID: key, UserID: user, PublicKey: base64.StdEncoding.EncodeToString(public)}}}
	}
	revoked := time.Now()
	cases := []struct {
		name   string
		change func(*fakeOrg, *checklists.CountersignCheck, *Subject)
		code   string
	}{
		{"verified", func(*fakeOrg, *checklists.CountersignCheck, *Subject) {}, ""},
		{"admin at any site", func(o *fakeOrg, _ *checklists.CountersignCheck, _ *Subject) {
			u := o.users[user]
			u.Role, u.SiteIDs = "admin", nil
			o.users[user] = u
		}, ""},
		{"self", func(_ *fakeOrg, _ *checklists.CountersignCheck, s *Subject) { s.InspectorID = strings.ToUpper(user) }, checklists.CodeCountersignSelf},
		{"no proof", func(_ *fakeOrg, c *checklists.CountersignCheck, _ *Subject) { c.Signature = "" }, checklists.CodeCountersignNoProof},
		{"not a uuid", func(_ *fakeOrg, c *checklists.CountersignCheck, _ *Subject) { c.UserID = "li" }, checklists.CodeCountersignUnknownUser},
		{"inactive", func(o *fakeOrg, _ *checklists.CountersignCheck, _ *Subject) {
			u := o.users[user]
			u.Active = false
			o.users[user] = u
		}, checklists.CodeCountersignInactive},
		{"other site", func(_ *fakeOrg, _ *checklists.CountersignCheck, s *Subject) { s.SiteID = "elsewhere" }, checklists.CodeCountersignSite},
		{"guard for a supervisor item", func(o *fakeOrg, _ *checklists.CountersignCheck, _ *Subject) {
			u := o.users[user]
			u.Role = "guard"
			o.users[user] = u
		}, checklists.CodeCountersignRole},
		{"unknown key", func(o *fakeOrg, _ *checklists.CountersignCheck, _ *Subject) { delete(o.keys, key) }, checklists.CodeCountersignUnknownKey},
		{"revoked", func(o *fakeOrg, _ *checklists.CountersignCheck, _ *Subject) {
			k := o.keys[key]
			k.RevokedAt = &revoked
			o.keys[key] = k
		}, checklists.CodeCountersignKeyRevoked},
		{"other path", func(_ *fakeOrg, c *checklists.CountersignCheck, _ *Subject) { c.Path = "/other" }, checklists.CodeCountersignSignature},
		{"other answer", func(_ *fakeOrg, c *checklists.CountersignCheck, _ *Subject) {
			c.AnswerSHA256 = checklists.AnswerDigest(checklists.Answer{Value: "no"})
		}, checklists.CodeCountersignSignature},
		{"not base64", func(_ *fakeOrg, c *checklists.CountersignCheck, _ *Subject) { c.Signature = "!!" }, checklists.CodeCountersignSignature},
	}
	// Each case is judged three ways: checked in place, with the good
	// proof checked ahead (Judge must not take its verdict for another
	// claim), and with the case's own claim checked ahead.
	answer := checklists.Answer{Value: "yes"}
	aheadOf := func(check checklists.CountersignCheck, subject Subject, publicKey string) *Proofs {
		given := answer
		given.Countersign = &checklists.Countersignature{UserID: check.UserID, KeyID: check.KeyID, SignedAt: check.SignedAt, Signature: check.Signature}
		proofs := &Proofs{}
		proofs.Start(publicKey, subject, "/item", given)
		return proofs
	}
	for _, c := range cases {
		goodSubject := Subject{InspectionID: inspection, SiteID: site, InspectorID: "inspector"}
		org, check, subject := good(), signed("/item", digest), goodSubject
		goodKey := org.keys[key].PublicKey
		c.change(&org, &check, &subject)
		ways := map[string]*Proofs{
			"in place":         nil,
			"good claim ahead": aheadOf(signed("/item", digest), goodSubject, goodKey),
			"own claim ahead":  aheadOf(check, subject, goodKey),
		}
		for way, proofs := range ways {
			verdict, err := Judge(org, proofs, subject, check)
			if err != nil || verdict.Verified != (c.code == "") || verdict.Code != c.code || (c.code != "" && verdict.Reason == "") {
				t.Errorf("%s, %s: verdict %+v (%v), want code %q", c.name, way, verdict, err, c.code)
			}
		}
	}
	broken := fakeOrgFault{}
	if _, err := Judge(broken, nil, Subject{InspectionID: inspection, SiteID: site}, signed("/item", digest)); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("a database fault gave %v, want it returned", err)
	}
}

type fakeOrgFault struct{}

func (fakeOrgFault) User(string) (store.User, error) {
	return store.User{}, errs.E("fake", errs.Unavailable, "down")
}
func (fakeOrgFault) UserKey(string) (store.UserKey, error) {
	return store.UserKey{}, errs.E("fake", errs.Unavailable, "down")
}

// A proof holds exactly when crypto/ed25519.Verify says so: signatures
// made by the key, with bytes flipped, under other keys, and keys that are
// not points, small-order points or non-canonical encodings, and
// signatures whose S is not reduced.
func FuzzVerifyIsTheStandardLibrarys(f *testing.F) {
	identity := make([]byte, 32) // a small-order point: the neutral element
	identity[0] = 1
	order := []byte{ // L, the group's order: S + L is the non-canonical twin of S
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	f.Add([]byte("seed"), []byte("message"), uint8(0), uint8(0), []byte{}, []byte{}, false)
	f.Add([]byte("seed"), []byte("message"), uint8(3), uint8(1), []byte{}, []byte{}, false)
	f.Add([]byte("seed"), []byte("message"), uint8(40), uint8(0x80), []byte{}, []byte{}, false)
	f.Add([]byte("seed"), []byte("message"), uint8(0), uint8(0), []byte{}, []byte{}, true)
	f.Add([]byte("seed"), []byte(""), uint8(0), uint8(0), identity, make([]byte, 64), false)
	f.Add([]byte("x"), []byte("m"), uint8(0), uint8(0), bytes.Repeat([]byte{0xff}, 32), []byte{}, false)
	f.Add([]byte("x"), []byte("m"), uint8(0), uint8(0), order, []byte{}, false)
	f.Fuzz(func(t *testing.T, seed, message []byte, flipAt, flip uint8, rawKey, rawSignature []byte, unreduced bool) {
		private := ed25519.NewKeyFromSeed(sha512Seed(seed))
		public := private.Public().(ed25519.PublicKey)
		signature := ed25519.Sign(private, message)
		if unreduced { // S + L: crypto/ed25519 refuses it
			addLittleEndian(signature[32:], order)
		}
		signature[int(flipAt)%len(signature)] ^= flip
		if len(rawKey) == ed25519.PublicKeySize {
			public = rawKey
		}
		if len(rawSignature) == ed25519.SignatureSize {
			signature = rawSignature
		}
		want := ed25519.Verify(public, message, signature)
		got := proof{publicKey: base64.StdEncoding.EncodeToString(public), message: message, signature: signature}.holds()
		if got != want {
			t.Fatalf("key %x, message %q, signature %x: holds %v, crypto/ed25519 says %v", public, message, signature, got, want)
		}
	})
}

func sha512Seed(seed []byte) []byte {
	sum := sha512.Sum512(seed)
	return sum[:ed25519.SeedSize]
}

// addLittleEndian adds b to a in place, both little-endian, dropping the
// last carry.
func addLittleEndian(a, b []byte) {
	carry := 0
	for i := range a {
		sum := int(a[i]) + int(b[i]) + carry
		a[i], carry = byte(sum), sum>>8
	}
}

// Judge takes a verdict made ahead for exactly its claim, and only for
// it: a verdict ahead that says a forged signature holds is taken for
// that signature's claim, and not for another signature, key or answer of
// the same item.
func TestJudgeTakesTheVerdictAheadOnlyForItsClaim(t *testing.T) {
	public, _, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	user, keyID, inspection := "0194f2a0-4444-7000-8000-000000000004", "0194f2a0-5555-7000-8000-000000000005", "0194f2a0-2222-7000-8000-000000000002"
	publicKey := base64.StdEncoding.EncodeToString(public)
	forged := checklists.CountersignCheck{Path: "/item", UserID: user, Role: "any", KeyID: keyID, SignedAt: "2026-01-02T03:04:05Z",
		AnswerSHA256: checklists.AnswerDigest(checklists.Answer{Value: "yes"}),
		Signature:    base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, ed25519.SignatureSize))}
	subject := Subject{InspectionID: inspection, SiteID: "site", InspectorID: "inspector"}
	org := fakeOrg{users: map[string]store.User{user: {ID: user, Name: "Li", Role: "guard", Active: true, SiteIDs: []string{"site"}}},
		keys: map[string]store.UserKey{keyID: {ID: keyID, UserID: user, PublicKey: publicKey}}}
	made, ok := proofOf(publicKey, subject, forged)
	if !ok {
		t.Fatal("the forged claim is malformed")
	}
	done := make(chan struct{})
	close(done)
	lying := &Proofs{ahead: map[aheadKey]*verdictAhead{{inspection, "/item"}: {proof: made, done: done, holds: true}}}

	if verdict, _ := Judge(org, lying, subject, forged); !verdict.Verified {
		t.Errorf("the verdict ahead for this very claim was not taken: %+v", verdict)
	}
	if verdict, _ := Judge(org, nil, subject, forged); verdict.Verified {
		t.Errorf("checked in place, the forged signature holds: %+v", verdict)
	}
	otherSignature := forged
	otherSignature.Signature = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, ed25519.SignatureSize))
	otherAnswer := forged
	otherAnswer.AnswerSHA256 = checklists.AnswerDigest(checklists.Answer{Value: "no"})
	otherKey := fakeOrg{users: org.users, keys: map[string]store.UserKey{keyID: {ID: keyID, UserID: user,
		PublicKey: base64.StdEncoding.EncodeToString(other)}}}
	for name, judge := range map[string]func() (checklists.CountersignVerdict, error){
		"another signature": func() (checklists.CountersignVerdict, error) { return Judge(org, lying, subject, otherSignature) },
		"another answer":    func() (checklists.CountersignVerdict, error) { return Judge(org, lying, subject, otherAnswer) },
		"another key":       func() (checklists.CountersignVerdict, error) { return Judge(otherKey, lying, subject, forged) },
	} {
		if verdict, err := judge(); err != nil || verdict.Verified || verdict.Code != checklists.CodeCountersignSignature {
			t.Errorf("%s: verdict %+v (%v), want the signature refused", name, verdict, err)
		}
	}
}

// BenchmarkSignatureCheck is one countersignature's signature checked as
// crypto/ed25519 does and as proof.holds does (the key's point kept
// decompressed): docs/benchmarks.md, issue 17.
func BenchmarkSignatureCheck(b *testing.B) {
	public, private, _ := ed25519.GenerateKey(nil)
	message := checklists.CountersignSubject{InspectionID: "0194f2a0-2222-7000-8000-000000000002", Path: "/vault_checked",
		AnswerSHA256: checklists.AnswerDigest(checklists.Answer{Value: "yes"}), UserID: "0194f2a0-4444-7000-8000-000000000004",
		KeyID: "0194f2a0-5555-7000-8000-000000000005", SignedAt: "2026-12-06T10:00:00Z"}.Message()
	signature := ed25519.Sign(private, message)
	b.Run("crypto/ed25519", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(public, message, signature) {
				b.Fatal("does not hold")
			}
		}
	})
	b.Run("proof.holds", func(b *testing.B) {
		p := proof{publicKey: base64.StdEncoding.EncodeToString(public), message: message, signature: signature}
		for b.Loop() {
			if !p.holds() {
				b.Fatal("does not hold")
			}
		}
	})
}

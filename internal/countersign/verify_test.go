package countersign

import (
	"crypto/ed25519"
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
	verdict, err := Judge(org, Subject{InspectionID: inspectionID, SiteID: "site", InspectorID: "someone else"}, check)
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
	for _, c := range cases {
		org, check, subject := good(), signed("/item", digest), Subject{InspectionID: inspection, SiteID: site, InspectorID: "inspector"}
		c.change(&org, &check, &subject)
		verdict, err := Judge(org, subject, check)
		if err != nil || verdict.Verified != (c.code == "") || verdict.Code != c.code || (c.code != "" && verdict.Reason == "") {
			t.Errorf("%s: verdict %+v (%v), want code %q", c.name, verdict, err, c.code)
		}
	}
	broken := fakeOrgFault{}
	if _, err := Judge(broken, Subject{InspectionID: inspection, SiteID: site}, signed("/item", digest)); !errs.Is(err, errs.Unavailable) {
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

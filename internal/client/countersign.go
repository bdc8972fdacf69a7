package client

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
)

// ErrNoCountersignKey means this device holds no registered countersign
// key for the signed-in user: RegisterCountersignKey first, while online.
var ErrNoCountersignKey = errors.New("client: no countersign key on this device")

// CountersignRequest is what the inspector's phone shows the
// countersigner's phone (by QR) for one two-person item: which inspection,
// which item, and the digest of the answer to agree to.
type CountersignRequest struct {
	InspectionID string `json:"inspection_id"`
	Path         string `json:"path"`
	AnswerSHA256 string `json:"answer_sha256"`
}

// CountersignRequestFor builds the request for an answer to the item at
// path of an inspection.
func CountersignRequestFor(inspectionID, path string, answer checklists.Answer) CountersignRequest {
	return CountersignRequest{InspectionID: inspectionID, Path: path, AnswerSHA256: checklists.AnswerDigest(answer)}
}

// RegisterCountersignKey makes this device's countersign key for the
// signed-in user and registers its public half (POST /v1/me/keys), once:
// later calls answer the key id already registered. It needs the network;
// signing with the key afterwards does not.
func (c *Client) RegisterCountersignKey(ctx context.Context) (string, error) {
	s, err := c.session(ctx)
	if err != nil {
		return "", err
	}
	if s.UserID == "" {
		return "", fmt.Errorf("client.RegisterCountersignKey: sign in first")
	}
	if keyID, _, err := c.countersignKey(ctx, s.UserID); err == nil {
		return keyID, nil
	} else if !errors.Is(err, ErrNoCountersignKey) {
		return "", err
	}
	public, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("client.RegisterCountersignKey: %w", err)
	}
	// The Idempotency-Key makes a retry after a lost answer replay the
	// first registration instead of registering twice.
	body, err := json.Marshal(map[string]string{"id": newID(), "algorithm": "ed25519",
		"public_key": base64.StdEncoding.EncodeToString(public), "name": "device " + s.DeviceID})
	if err != nil {
		return "", err
	}
	res, err := c.call(ctx, request{method: http.MethodPost, path: "/v1/me/keys", body: body, auth: true,
		headers: map[string]string{"Content-Type": "application/json", "Idempotency-Key": newID()}})
	if err != nil {
		return "", fmt.Errorf("client.RegisterCountersignKey: %w", err)
	}
	var key struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(res.body, &key); err != nil || key.ID == "" {
		return "", fmt.Errorf("client.RegisterCountersignKey: answer without a key id")
	}
	_, err = c.db.ExecContext(ctx, `INSERT INTO countersign_key (user_id, key_id, private_key) VALUES (?, ?, ?)`,
		s.UserID, key.ID, base64.StdEncoding.EncodeToString(private.Seed()))
	if err != nil {
		return "", fmt.Errorf("client.RegisterCountersignKey: %w", err)
	}
	return key.ID, nil
}

func (c *Client) countersignKey(ctx context.Context, userID string) (string, ed25519.PrivateKey, error) {
	var keyID, seed string
	err := c.db.QueryRowContext(ctx, `SELECT key_id, private_key FROM countersign_key WHERE user_id = ?`, userID).Scan(&keyID, &seed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, ErrNoCountersignKey
	}
	if err != nil {
		return "", nil, fmt.Errorf("client: read countersign key: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(seed)
	if err != nil || len(raw) != ed25519.SeedSize {
		return "", nil, fmt.Errorf("client: countersign key is damaged")
	}
	return keyID, ed25519.NewKeyFromSeed(raw), nil
}

// Countersign is the countersigner's phone agreeing to a request: it signs
// the request with this device's key, offline, and returns the proof to
// hand back to the inspector's phone (by QR), ready to be the answer's
// countersign.
func (c *Client) Countersign(ctx context.Context, req CountersignRequest) (checklists.Countersignature, error) {
	s, err := c.session(ctx)
	if err != nil {
		return checklists.Countersignature{}, err
	}
	keyID, private, err := c.countersignKey(ctx, s.UserID)
	if err != nil {
		return checklists.Countersignature{}, fmt.Errorf("client.Countersign: %w", err)
	}
	proof := checklists.Countersignature{UserID: s.UserID, KeyID: keyID, SignedAt: time.Now().UTC().Format(time.RFC3339)}
	message := checklists.CountersignSubject{InspectionID: req.InspectionID, Path: req.Path, AnswerSHA256: req.AnswerSHA256,
		UserID: proof.UserID, KeyID: proof.KeyID, SignedAt: proof.SignedAt}.Message()
	proof.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(private, message))
	return proof, nil
}

// CountersignFunc gets the proof for one two-person item: from the
// countersigner's phone in real life, from another Client in a simulation.
type CountersignFunc func(ctx context.Context, item checklists.Item, req CountersignRequest) (checklists.Countersignature, error)

// CountersignAnswers replaces the countersign of every answered two-person
// item in answers (top-level items and items of group repeats) with the
// proof sign returns, keeping a drawn signature (signature_media_id) the
// answer already names. Set the answers' values first: the proof covers them.
func CountersignAnswers(ctx context.Context, t *checklists.Template, inspectionID string, answers map[string]checklists.Answer, sign CountersignFunc) error {
	one := func(item checklists.Item, path string, answer checklists.Answer) (checklists.Answer, error) {
		if item.Countersign == nil || answer.Countersign == nil {
			return answer, nil
		}
		proof, err := sign(ctx, item, CountersignRequestFor(inspectionID, path, answer))
		if err != nil {
			return answer, err
		}
		proof.SignatureMediaID = answer.Countersign.SignatureMediaID
		answer.Countersign = &proof
		return answer, nil
	}
	for _, section := range t.Sections {
		for _, item := range section.Items {
			answer, ok := answers[item.Key]
			if !ok {
				continue
			}
			var err error
			if item.Type != checklists.TypeGroup {
				answers[item.Key], err = one(item, "/"+pointerEscape(item.Key), answer)
			}
			for index, repeat := range answer.Repeats {
				for _, child := range item.Items {
					if a, ok := repeat[child.Key]; ok && err == nil {
						path := "/" + pointerEscape(item.Key) + "/" + strconv.Itoa(index) + "/" + pointerEscape(child.Key)
						repeat[child.Key], err = one(child, path, a)
					}
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

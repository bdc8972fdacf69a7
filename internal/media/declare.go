package media

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// DeclareInput is what a phone says about a blob before sending it: the
// body of POST /v1/media and the payload of media.declare, declared once in
// internal/mutation.
type DeclareInput = mutation.Declare

// SignatureInput is what a signature carries besides its image.
type SignatureInput = mutation.Signature

// Declared is the answer to a declaration: the media and, while its bytes
// are still to come, how to send them.
type Declared struct {
	View
	Upload *Upload `json:"upload"`
	// New is false when the id was declared before (the answer repeats it).
	New bool `json:"-"`
}

// Upload tells the phone how to send the bytes: one PUT to URL with
// Headers, or, when Parts is set, one PUT per part of PartSize bytes.
type Upload struct {
	Method    string            `json:"method"`
	URL       string            `json:"url,omitempty"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
	PartSize  int64             `json:"part_size,omitempty"`
	Parts     []PartUpload      `json:"parts,omitempty"`
}

// PartUpload is where one part goes.
type PartUpload struct {
	Number  int               `json:"number"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// Declare records a blob the caller is about to upload, or recognises one
// declared before (same id and content: the same answer again), or finds
// the same bytes already stored in the organisation and answers stored at
// once.
func (s *Service) Declare(ctx context.Context, in DeclareInput) (Declared, error) {
	const op = "media.Declare"
	p, _ := principal.From(ctx)
	row, count, err := s.checkDeclaration(ctx, p, in)
	if err != nil {
		return Declared{}, errs.Wrap(op, err)
	}
	existing, twin, err := s.db.Read(ctx).MediaOrStoredTwin(row.ID, row.SHA256, row.Size)
	if err != nil {
		return Declared{}, errs.Wrap(op, err)
	}
	if existing != nil {
		return s.redeclare(ctx, *existing, row)
	}
	if err := s.checkCount(count); err != nil {
		return Declared{}, err
	}
	if twin != nil {
		if s.twinRead != nil {
			s.twinRead(*twin)
		}
		return s.declareDuplicate(ctx, row, *twin)
	}
	return s.declareUpload(ctx, row)
}

// checkDeclaration validates every field at once and builds the row.
// It also returns how many live media the inspection holds already.
func (s *Service) checkDeclaration(ctx context.Context, p principal.Principal, in DeclareInput) (store.Media, int64, error) {
	const op = "media.Declare"
	row, fields := CheckFields(in, p.UserID, func(id string) bool { return s.isUser(ctx, id) })
	count, err := s.checkInspection(ctx, p, in.InspectionID, fields)
	if err != nil {
		return store.Media{}, 0, err
	}
	if len(fields) > 0 {
		return store.Media{}, 0, errs.Fields(op, fields)
	}
	if in.Size > s.limits.MaxBytes {
		return store.Media{}, 0, errs.E(op, errs.TooLarge, fmt.Sprintf("a blob holds at most %d bytes", s.limits.MaxBytes),
			map[string]string{"/size": fmt.Sprintf("at most %d bytes", s.limits.MaxBytes)})
	}
	return row, count, nil
}

// CheckFields validates a declaration's own fields, every problem at once
// (JSON pointers into the declaration), and builds its pending row. The
// inspection, the size limit, the count per inspection and earlier
// declarations of the id are the caller's to check. isUser says whether a
// signer id names a user of the caller's organisation.
func CheckFields(in DeclareInput, uploadedBy string, isUser func(id string) bool) (store.Media, map[string]string) {
	fields := map[string]string{}
	if !input.IsUUID(in.ID) {
		fields["/id"] = "must be a UUID made by the device"
	}
	if sum, err := hex.DecodeString(in.SHA256); err != nil || len(sum) != 32 {
		fields["/sha256"] = "must be the SHA-256 of the bytes, 64 hex digits"
	}
	if in.Size < 1 {
		fields["/size"] = "must be the number of bytes, at least 1"
	}
	allowed, kindOK := allowedTypes[in.Kind]
	if !kindOK {
		fields["/kind"] = "must be photo, signature or attachment"
	} else if !allowed[in.ContentType] {
		fields["/content_type"] = fmt.Sprintf("a %s must be one of %s", in.Kind, typeList(allowed))
	}
	if len(in.ItemKey) > 200 {
		fields["/item_key"] = "at most 200 characters"
	}
	captured := input.ParseTime(in.CapturedAt)
	if in.CapturedAt != "" && captured == nil {
		fields["/captured_at"] = "must be an RFC 3339 time"
	}
	location := checkLocation(in.Location, fields)
	signature, digest := checkSignature(in, fields, isUser)
	return store.Media{ID: strings.ToLower(in.ID), InspectionID: in.InspectionID, ItemKey: in.ItemKey, Kind: in.Kind,
		DeclaredType: in.ContentType, Size: in.Size, SHA256: strings.ToLower(in.SHA256), Status: Pending,
		UploadedBy: uploadedBy, CapturedAt: captured, Location: location, Signature: signature, SignedDigest: digest,
		Version: 1}, fields
}

func checkLocation(raw json.RawMessage, fields map[string]string) []byte {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var place struct {
		Lat       *float64 `json:"lat"`
		Lng       *float64 `json:"lng"`
		AccuracyM *float64 `json:"accuracy_m"`
	}
	if json.Unmarshal(raw, &place) != nil || place.Lat == nil || place.Lng == nil ||
		*place.Lat < -90 || *place.Lat > 90 || *place.Lng < -180 || *place.Lng > 180 {
		fields["/location"] = `must be {"lat", "lng", "accuracy_m"?} with lat in [-90, 90] and lng in [-180, 180]`
		return nil
	}
	out, _ := json.Marshal(place)
	return out
}

// checkSignature validates the signature part; only signatures carry one.
// It returns the signature as stored and, when it is valid, its content
// digest (64 hex digits, the same after encoding and decoding).
func checkSignature(in DeclareInput, fields map[string]string, isUser func(id string) bool) ([]byte, string) {
	sig := in.Signature
	switch {
	case in.Kind == Signature && sig == nil:
		fields["/signature"] = "a signature needs its strokes, signer, role, time and content digest"
		return nil, ""
	case in.Kind != Signature && sig != nil:
		fields["/signature"] = "only media of kind signature carry one"
		return nil, ""
	case sig == nil:
		return nil, ""
	}
	valid, plain := scanStrokes(sig.Strokes)
	if !valid {
		fields["/signature/strokes"] = "must be a non-empty array of strokes, each a non-empty array of [x, y] points"
	}
	switch {
	case sig.SignerUserID == "" && strings.TrimSpace(sig.SignerName) == "":
		fields["/signature/signer_user_id"] = "name the signer: signer_user_id or signer_name"
	case sig.SignerUserID != "" && !isUser(sig.SignerUserID):
		fields["/signature/signer_user_id"] = "no such user in your organisation"
	}
	if strings.TrimSpace(sig.SignerRole) == "" || len(sig.SignerRole) > 100 {
		fields["/signature/signer_role"] = "required, at most 100 characters"
	}
	if input.ParseTime(sig.SignedAt) == nil {
		fields["/signature/signed_at"] = "must be an RFC 3339 time"
	}
	digest := sig.ContentDigest
	if sum, err := hex.DecodeString(sig.ContentDigest); err != nil || len(sum) != 32 {
		fields["/signature/content_digest"] = "must be the SHA-256 (64 hex digits) of the inspection content signed"
		digest = ""
	}
	return marshalSignature(sig, plain), digest
}

// marshalSignature is json.Marshal(sig), byte for byte. Strokes that are
// plain (scanStrokes) are what json.Marshal's compaction of them gives, so
// the signature is written directly when no string needs an escape
// (issue 17: json.Marshal compacted each signature's strokes again, byte by
// byte, on every declaration); anything else takes json.Marshal's path.
func marshalSignature(sig *SignatureInput, plainStrokes bool) []byte {
	if plainStrokes {
		out := append(make([]byte, 0, len(sig.Strokes)+96+len(sig.SignerUserID)+len(sig.SignerName)+
			len(sig.SignerRole)+len(sig.SignedAt)+len(sig.ContentDigest)), `{"strokes":`...)
		out = append(out, sig.Strokes...)
		ok := true
		for _, f := range [...]struct {
			name, value string
			omitEmpty   bool
		}{{`,"signer_user_id":`, sig.SignerUserID, true}, {`,"signer_name":`, sig.SignerName, true},
			{`,"signer_role":`, sig.SignerRole, false}, {`,"signed_at":`, sig.SignedAt, false},
			{`,"content_digest":`, sig.ContentDigest, false}} {
			if ok && (f.value != "" || !f.omitEmpty) {
				out, ok = checklists.AppendPlainString(append(out, f.name...), f.value)
			}
		}
		if ok {
			return append(out, '}')
		}
	}
	out, _ := json.Marshal(sig)
	return out
}

// validStrokes reports whether raw is the API's one stroke format, the one
// sign-off takes too: [[[x, y], ...], ...]. It is what decoding raw into
// [][][]float64 accepts (a null coordinate is a zero) with no stroke and
// no point empty, checked by one scan without decoding (strokes are most
// of a signature's bytes); anything the scan does not expect goes to that
// decode (decodedStrokesValid).
func validStrokes(raw json.RawMessage) bool {
	valid, _ := scanStrokes(raw)
	return valid
}

// scanStrokes is validStrokes, and whether raw is plain: strokes the scan
// reads whole with no space in them, which json.Marshal copies as they
// are (it compacts a json.RawMessage, and strokes hold no string to
// escape).
func scanStrokes(raw json.RawMessage) (valid, plain bool) {
	scan := strokeScan{in: raw}
	valid, sure := scan.strokes()
	if !sure || scan.skipSpace() != len(raw) {
		return decodedStrokesValid(raw), false
	}
	return valid, !bytes.ContainsAny(raw, " \t\n\r")
}

// decodedStrokesValid is validStrokes by decoding, the reference.
func decodedStrokesValid(raw json.RawMessage) bool {
	var strokes [][][]float64
	if json.Unmarshal(raw, &strokes) != nil || len(strokes) == 0 {
		return false
	}
	for _, stroke := range strokes {
		if len(stroke) == 0 {
			return false
		}
		for _, point := range stroke {
			if len(point) != 2 {
				return false
			}
		}
	}
	return true
}

// strokeScan reads strokes. Its methods return (valid, sure): sure is
// false for anything but the brackets, commas, numbers, nulls and spaces
// of well-formed strokes, which the caller leaves to the decoder.
type strokeScan struct {
	in []byte
	at int
}

func (s *strokeScan) skipSpace() int {
	for s.at < len(s.in) && (s.in[s.at] == ' ' || s.in[s.at] == '\t' || s.in[s.at] == '\n' || s.in[s.at] == '\r') {
		s.at++
	}
	return s.at
}

// list reads "[" element ("," element)* "]" and returns how many elements.
func (s *strokeScan) list(element func() (bool, bool)) (n int, valid, sure bool) {
	if s.skipSpace() == len(s.in) || s.in[s.at] != '[' {
		return 0, false, false
	}
	s.at++
	if s.skipSpace() < len(s.in) && s.in[s.at] == ']' {
		s.at++
		return 0, true, true
	}
	valid = true
	for {
		ok, sure := element()
		if !sure {
			return 0, false, false
		}
		valid = valid && ok
		n++
		if s.skipSpace() == len(s.in) {
			return 0, false, false
		}
		switch s.in[s.at] {
		case ',':
			s.at++
		case ']':
			s.at++
			return n, valid, true
		default:
			return 0, false, false
		}
	}
}

func (s *strokeScan) strokes() (bool, bool) {
	n, valid, sure := s.list(s.stroke)
	return valid && n > 0, sure
}

func (s *strokeScan) stroke() (bool, bool) {
	n, valid, sure := s.list(s.point)
	return valid && n > 0, sure
}

func (s *strokeScan) point() (bool, bool) {
	n, valid, sure := s.list(s.coordinate)
	return valid && n == 2, sure
}

// coordinate is a number that fits a float64, or null.
func (s *strokeScan) coordinate() (bool, bool) {
	s.skipSpace()
	if bytes.HasPrefix(s.in[s.at:], []byte("null")) {
		s.at += len("null")
		return true, true
	}
	begin := s.at
	if !s.number() {
		return false, false
	}
	if token := s.in[begin:s.at]; bytes.ContainsAny(token, "eE") || len(token) > 300 {
		// Only an exponent or 309 digits can be beyond a float64.
		_, err := strconv.ParseFloat(string(token), 64)
		return err == nil, err == nil
	}
	return true, true
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *strokeScan) number() bool {
	s.accept("-")
	if !s.accept("0") && s.digits() == 0 {
		return false
	}
	if s.accept(".") && s.digits() == 0 {
		return false
	}
	if s.accept("eE") {
		s.accept("+-")
		return s.digits() > 0
	}
	return true
}

// accept consumes one byte among those of set.
func (s *strokeScan) accept(set string) bool {
	if s.at < len(s.in) && strings.IndexByte(set, s.in[s.at]) >= 0 {
		s.at++
		return true
	}
	return false
}

func (s *strokeScan) digits() int {
	begin := s.at
	for s.at < len(s.in) && s.in[s.at] >= '0' && s.in[s.at] <= '9' {
		s.at++
	}
	return s.at - begin
}

func (s *Service) isUser(ctx context.Context, id string) bool {
	if !input.IsUUID(id) {
		return false
	}
	_, err := s.db.Read(ctx).User(id)
	return err == nil
}

// checkInspection requires an inspection the caller may see that is not
// closed yet. An inspection the server has not received yet is allowed, so
// that an offline phone can declare its media before the one push that
// carries the whole inspection; until it arrives only the declarer sees
// the media. It returns how many live media are declared for the
// inspection: both in one query, as this runs for every photo.
func (s *Service) checkInspection(ctx context.Context, p principal.Principal, id string, fields map[string]string) (int64, error) {
	if !input.IsUUID(id) {
		fields["/inspection_id"] = "must be the id of an inspection"
		return 0, nil
	}
	facts, err := s.db.Read(ctx).InspectionMediaFacts(id)
	switch {
	case err != nil:
		return 0, errs.Wrap("media.Declare", err)
	case !facts.Found:
	case !inspection.CanSee(p, facts.SiteID, facts.OwnerID):
		fields["/inspection_id"] = "this inspection belongs to someone else"
	case facts.Status == inspection.Approved:
		fields["/inspection_id"] = "the inspection is approved and takes no more media"
	}
	return facts.MediaCount, nil
}

func (s *Service) checkCount(n int64) error {
	if n >= int64(s.limits.MaxPerInspection) {
		return errs.Fields("media.Declare", map[string]string{"/inspection_id": fmt.Sprintf(
			"the inspection already holds %d media, the most allowed", s.limits.MaxPerInspection)})
	}
	return nil
}

// redeclare answers a repeated declaration. The same content gets the
// same answer (with fresh URLs while pending); a collected orphan comes
// back as pending; other content under the same id is a conflict.
func (s *Service) redeclare(ctx context.Context, existing, wanted store.Media) (Declared, error) {
	const op = "media.Declare"
	same := existing.SHA256 == wanted.SHA256 && existing.Size == wanted.Size &&
		existing.InspectionID == wanted.InspectionID && existing.Kind == wanted.Kind
	if !same {
		return Declared{}, errs.E(op, errs.Conflict, "this id was declared with other content")
	}
	if existing.Status == Deleted {
		return s.revive(ctx, existing)
	}
	return s.answer(ctx, existing, false)
}

// declareDuplicate records a row that shares stored bytes with a twin. It
// holds the twin in the same transaction (store.HoldStoredTwin), so that
// a merge moving the twin's bytes to another object meanwhile is noticed:
// the twin is read again and the row points where it points now.
func (s *Service) declareDuplicate(ctx context.Context, row, twin store.Media) (Declared, error) {
	var err error
	for range 4 {
		row.Status, row.ObjectKey, row.ContentType = Stored, twin.ObjectKey, twin.ContentType
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			row.StoredAt = &tx.Now
			if err := tx.HoldStoredTwin(twin); err != nil {
				return err
			}
			return tx.CreateMedia(&row)
		})
		if !errs.Is(err, errs.Stale) {
			break
		}
		_, fresh, readErr := s.db.Read(ctx).MediaOrStoredTwin(row.ID, row.SHA256, row.Size)
		if readErr != nil {
			return Declared{}, errs.Wrap("media.Declare", readErr)
		}
		if fresh == nil {
			// The bytes were collected meanwhile: upload them again.
			row.Status, row.ContentType, row.StoredAt = Pending, "", nil
			return s.declareUpload(ctx, row)
		}
		twin = *fresh
	}
	if errs.Is(err, errs.Conflict) {
		return s.raced(ctx, row)
	}
	if err != nil {
		return Declared{}, errs.Wrap("media.Declare", err)
	}
	s.enqueueThumbnail(ctx, row)
	return Declared{View: ViewOf(row), New: true}, nil
}

// declareUpload records a pending row; large blobs get a multipart upload
// opened first (network I/O stays outside the transaction).
func (s *Service) declareUpload(ctx context.Context, row store.Media) (Declared, error) {
	const op = "media.Declare"
	p, _ := principal.From(ctx)
	row.ObjectKey = ObjectKey(p.OrgID, row.ID)
	if row.Size > s.limits.MultipartThreshold {
		uploadID, err := s.blobs.StartMultipart(ctx, row.ObjectKey, row.DeclaredType)
		if err != nil {
			return Declared{}, errs.Wrap(op, err)
		}
		row.UploadID, row.PartSize = &uploadID, s.limits.PartSize
	}
	// One statement: no change-log entry or audit entry comes with it.
	err := s.db.Read(ctx).CreateMedia(&row)
	if err != nil && row.UploadID != nil {
		s.abort(ctx, row.ObjectKey, *row.UploadID)
	}
	if errs.Is(err, errs.Conflict) {
		return s.raced(ctx, row)
	}
	if err != nil {
		return Declared{}, errs.Wrap(op, err)
	}
	declared, err := s.answer(ctx, row, true)
	return declared, err
}

// raced handles a twin declaration of the same id that committed first.
func (s *Service) raced(ctx context.Context, row store.Media) (Declared, error) {
	existing, err := s.db.Read(ctx).Media(row.ID)
	if err != nil {
		// The id is taken, but not in this organisation.
		return Declared{}, errs.E("media.Declare", errs.Conflict, "this id is taken", err)
	}
	return s.redeclare(ctx, existing, row)
}

// revive makes a collected row pending again, with a fresh upload.
func (s *Service) revive(ctx context.Context, row store.Media) (Declared, error) {
	expected := row.Version
	row.Status, row.DeletedAt, row.UploadID, row.PartSize = Pending, nil, nil, 0
	p, _ := principal.From(ctx)
	row.ObjectKey, row.ThumbnailKey, row.ContentType = ObjectKey(p.OrgID, row.ID), nil, ""
	row.Version++
	if err := s.db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateMedia(&row, expected) }); err != nil {
		return Declared{}, errs.Wrap("media.Declare", err)
	}
	return s.answer(ctx, row, false)
}

// answer renders a row with, while pending, instructions for its bytes.
func (s *Service) answer(ctx context.Context, row store.Media, isNew bool) (Declared, error) {
	out := Declared{View: ViewOf(row), New: isNew}
	if row.Status != Pending {
		return out, nil
	}
	upload, err := s.uploadFor(ctx, &row)
	if err != nil {
		return Declared{}, err
	}
	out.Upload = &upload
	return out, nil
}

// uploadFor presigns the whole object, or every part not received yet.
func (s *Service) uploadFor(ctx context.Context, row *store.Media) (Upload, error) {
	const op = "media.upload"
	if row.Size <= s.limits.MultipartThreshold {
		signed, err := s.blobs.PresignPut(ctx, row.ObjectKey, row.Size, row.SHA256, row.DeclaredType, s.limits.URLTTL)
		if err != nil {
			return Upload{}, errs.Wrap(op, err)
		}
		return Upload{Method: signed.Method, URL: signed.URL, Headers: signed.Headers, ExpiresAt: signed.ExpiresAt}, nil
	}
	status, err := s.partStatus(ctx, row)
	if err != nil {
		return Upload{}, err
	}
	return Upload{Method: "PUT", Headers: map[string]string{}, ExpiresAt: status.ExpiresAt, PartSize: row.PartSize,
		Parts: status.Missing}, nil
}

func (s *Service) abort(ctx context.Context, key, uploadID string) {
	if err := s.blobs.AbortMultipart(ctx, key, uploadID); err != nil {
		s.log.Warn("abort multipart upload", "key", key, "err", err)
	}
}

func typeList(allowed map[string]bool) string {
	var names []string
	for _, name := range []string{"image/jpeg", "image/png", "image/webp", "application/pdf"} {
		if allowed[name] {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

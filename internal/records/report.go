package records

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/pdfdoc"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Report languages: Chinese, English, or both side by side (the default).
const (
	LangChinese = "zh-CN"
	LangEnglish = "en"
	LangBoth    = ""
)

// reportData is everything a report prints, read in one place.
type reportData struct {
	row        store.Inspection
	org        store.Org
	site       store.Site
	loc        *time.Location
	device     string
	template   *checklists.Template
	answers    map[string]checklists.Answer
	evaluation checklists.Result
	findings   []store.Finding
	events     []store.InspectionEvent
	names      map[string]string      // user id → name
	media      map[string]store.Media // the media the answers and sign-off name
}

// Report renders an inspection the caller may see as a PDF in lang
// (LangChinese, LangEnglish or LangBoth): who, where, when and with what
// result; every answer with failures marked, photos as thumbnails where the
// photo source has them and signatures as drawn; findings, sign-off and
// history. Times are in the site's time zone.
func (s *Service) Report(ctx context.Context, id, lang string) ([]byte, error) {
	const op = "records.Report"
	if lang != LangBoth && lang != LangChinese && lang != LangEnglish {
		return nil, errs.Fields(op, map[string]string{"/lang": "must be zh-CN or en"})
	}
	data, err := s.reportData(ctx, id)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var photos PhotoSource
	if s.photos != nil {
		photos = func(_ context.Context, mediaID string) ([]byte, string, error) { return s.photos(ctx, mediaID) }
	}
	var out bytes.Buffer
	if err := render(ctx, &out, data, lang, photos, nil); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out.Bytes(), nil
}

func (s *Service) reportData(ctx context.Context, id string) (reportData, error) {
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Inspection(id)
	if err == nil && !inspection.CanSee(p, row.SiteID, row.OwnerID) {
		err = errs.E("records.Report", errs.NotFound, "not found")
	}
	if err != nil {
		return reportData{}, err
	}
	version, err := tx.TemplateVersion(row.TemplateID, row.TemplateVersion)
	if err != nil {
		return reportData{}, err
	}
	doc, err := checklists.Parse([]byte(version.Document))
	if err != nil {
		return reportData{}, errs.E("records.Report", errs.Internal, err)
	}
	d := reportData{row: row, template: doc, answers: map[string]checklists.Answer{}, loc: time.UTC, device: "—"}
	if err := json.Unmarshal(row.Answers, &d.answers); err != nil {
		return reportData{}, errs.E("records.Report", errs.Internal, err)
	}
	if len(row.Evaluation) > 0 {
		if err := json.Unmarshal(row.Evaluation, &d.evaluation); err != nil {
			return reportData{}, errs.E("records.Report", errs.Internal, err)
		}
	}
	if d.org, err = tx.CallerOrg(); err != nil {
		return reportData{}, err
	}
	if d.site, err = tx.Site(row.SiteID); err != nil {
		return reportData{}, err
	}
	if loc, err := time.LoadLocation(d.site.Timezone); err == nil {
		d.loc = loc
	}
	if input.IsUUID(row.DeviceID) {
		if device, err := tx.Device(row.DeviceID); err == nil {
			d.device = deviceName(device)
		} else if !errs.Is(err, errs.NotFound) {
			return reportData{}, err
		}
	}
	if d.findings, _, err = tx.ListFindings(store.FindingFilter{Inspection: id}, store.Page{Limit: 500}); err != nil {
		return reportData{}, err
	}
	if d.events, err = tx.InspectionEvents(id); err != nil {
		return reportData{}, err
	}
	if d.media, err = tx.MediaByIDs(uuids(d.mediaIDs())); err != nil {
		return reportData{}, err
	}
	d.names, err = tx.UserNames(uuids(d.userIDs()))
	return d, err
}

// deviceName is how a device is printed: its name, else the key the app
// registered it with, and its platform.
func deviceName(d store.Device) string {
	name := d.Name
	if name == "" {
		name = d.DeviceKey
	}
	if d.Platform != "" {
		name += " (" + d.Platform + ")"
	}
	return name
}

// each calls visit for every answer, top-level and inside repeats, with
// its item and JSON pointer path.
func (d reportData) each(visit func(path string, item checklists.Item, a checklists.Answer)) {
	for _, section := range d.template.Sections {
		for _, item := range section.Items {
			a, ok := d.answers[item.Key]
			if !ok {
				continue
			}
			visit("/"+item.Key, item, a)
			for i, repeat := range a.Repeats {
				for _, child := range item.Items {
					if ca, ok := repeat[child.Key]; ok {
						visit("/"+item.Key+"/"+strconv.Itoa(i)+"/"+child.Key, child, ca)
					}
				}
			}
		}
	}
}

// userIDs lists every person the report names.
func (d reportData) userIDs() []string {
	ids := []string{d.row.OwnerID}
	if d.row.ApprovedBy != nil {
		ids = append(ids, *d.row.ApprovedBy)
	}
	for _, e := range d.events {
		ids = append(ids, e.ActorID)
	}
	for _, f := range d.findings {
		ids = append(ids, f.CreatedBy, deref(f.AssigneeID), deref(f.RectifierID), deref(f.VerifierID))
	}
	d.each(func(_ string, _ checklists.Item, a checklists.Answer) {
		if a.Countersign != nil {
			ids = append(ids, a.Countersign.UserID)
		}
	})
	for _, m := range d.media {
		if sig := signatureOf(m); sig.SignerUserID != "" {
			ids = append(ids, sig.SignerUserID)
		}
	}
	return ids
}

// mediaIDs lists every photo and signature the answers and sign-off name.
func (d reportData) mediaIDs() []string {
	var ids []string
	d.each(func(_ string, item checklists.Item, a checklists.Answer) {
		ids = append(ids, a.Media...)
		ids = append(ids, valueMediaIDs(item, a.Value)...)
		if a.Countersign != nil && a.Countersign.SignatureMediaID != "" {
			ids = append(ids, a.Countersign.SignatureMediaID)
		}
	})
	if sig := approval(d.row.Signature); sig.Signature.MediaID != nil {
		ids = append(ids, *sig.Signature.MediaID)
	}
	return ids
}

// valueMediaIDs are the media a photo or signature answer's value names.
func valueMediaIDs(item checklists.Item, value any) []string {
	switch v := value.(type) {
	case []any:
		if item.Type != checklists.TypePhoto {
			return nil
		}
		var ids []string
		for _, id := range v {
			if s, ok := id.(string); ok {
				ids = append(ids, s)
			}
		}
		return ids
	case map[string]any:
		if s, ok := v["media_id"].(string); ok && item.Type == checklists.TypeSignature {
			return []string{s}
		}
	}
	return nil
}

// uuids keeps the distinct well-formed ids: answers come from phones.
func uuids(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if input.IsUUID(id) && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// approvalSignature is the sign-off as stored with the inspection.
type approvalSignature struct {
	Signature struct {
		MediaID *string         `json:"media_id"`
		Strokes json.RawMessage `json:"strokes"`
		Name    string          `json:"name"`
	} `json:"signature"`
	Comment string `json:"comment"`
}

func approval(raw []byte) approvalSignature {
	var sig approvalSignature
	if len(raw) > 0 {
		json.Unmarshal(raw, &sig) // a sign-off the server wrote; a bad one prints empty
	}
	return sig
}

// mediaSignature is what a signature media row records besides its image.
type mediaSignature struct {
	Strokes      json.RawMessage `json:"strokes"`
	SignerUserID string          `json:"signer_user_id"`
	SignerName   string          `json:"signer_name"`
	SignerRole   string          `json:"signer_role"`
	SignedAt     string          `json:"signed_at"`
}

func signatureOf(m store.Media) mediaSignature {
	var sig mediaSignature
	if len(m.Signature) > 0 {
		json.Unmarshal(m.Signature, &sig) // validated when declared; a bad one prints without strokes
	}
	return sig
}

// parseStrokes reads pen strokes in either form clients send: points as
// [x, y, ...] arrays or as {"x": …, "y": …} objects, each stroke a list of
// points or an object with its "points".
func parseStrokes(raw json.RawMessage) [][]pdfdoc.Point {
	var strokes []json.RawMessage
	if json.Unmarshal(raw, &strokes) != nil {
		return nil
	}
	var out [][]pdfdoc.Point
	for _, s := range strokes {
		var points []json.RawMessage
		if json.Unmarshal(s, &points) != nil {
			var wrapped struct {
				Points []json.RawMessage `json:"points"`
			}
			if json.Unmarshal(s, &wrapped) != nil {
				continue
			}
			points = wrapped.Points
		}
		var stroke []pdfdoc.Point
		for _, p := range points {
			var pair []float64
			var xy struct{ X, Y *float64 }
			switch {
			case json.Unmarshal(p, &pair) == nil && len(pair) >= 2:
				stroke = append(stroke, pdfdoc.Point{X: pair[0], Y: pair[1]})
			case json.Unmarshal(p, &xy) == nil && xy.X != nil && xy.Y != nil:
				stroke = append(stroke, pdfdoc.Point{X: *xy.X, Y: *xy.Y})
			}
		}
		if len(stroke) > 0 {
			out = append(out, stroke)
		}
	}
	return out
}

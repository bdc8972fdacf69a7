package records

import (
	"context"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// The handover register (交接登记簿) holds two kinds of record: the
// inspections of handover checklists (cash boxes and the like, 003
// 中午交接或换班), and the guards' shift handovers (交接班), each signed by
// the outgoing and the incoming guard (001 第11篇: signatures on delivery
// and handover). A page lists the inspections first, then the shift
// handovers; the cursor says which part it is in.
const (
	KindInspection    = "inspection"
	KindShiftHandover = "shift_handover"
	// shiftCursor prefixes a cursor that has passed every inspection.
	shiftCursor = "s:"
)

// ShiftHandoverRow is a shift handover in the register: both guards by
// name, when each signed, and the digest both signatures bind to.
type ShiftHandoverRow struct {
	Kind             string     `json:"kind"`
	ID               string     `json:"id"`
	SiteID           string     `json:"site_id"`
	Post             string     `json:"post"`
	OutgoingUserID   string     `json:"outgoing_user_id"`
	OutgoingName     string     `json:"outgoing_name"`
	IncomingUserID   string     `json:"incoming_user_id"`
	IncomingName     string     `json:"incoming_name"`
	HandedAt         time.Time  `json:"handed_at"`
	OutgoingSignedAt time.Time  `json:"outgoing_signed_at"`
	IncomingSignedAt *time.Time `json:"incoming_signed_at"`
	// Status is awaiting_incoming until the incoming guard signs, then
	// completed.
	Status        string    `json:"status"`
	ContentDigest string    `json:"content_digest"`
	CreatedAt     time.Time `json:"created_at"`
}

// HandoverRows reads a page of the handover register: InspectionRow and
// ShiftHandoverRow values, told apart by kind.
func (s *Service) HandoverRows(ctx context.Context, f RegisterFilter, page store.Page) ([]any, string, error) {
	const op = "records.HandoverRows"
	limit := page.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	out := []any{}
	if !strings.HasPrefix(page.After, shiftCursor) {
		rows, next, err := s.Inspections(ctx, f, HandoverRegister, page)
		if err != nil {
			return nil, "", err
		}
		for _, r := range rows {
			r.Kind = KindInspection
			out = append(out, r)
		}
		if next != "" {
			return out, next, nil
		}
		if len(out) == limit {
			return out, shiftCursor, nil
		}
		page = store.Page{Limit: limit - len(out), After: shiftCursor}
	}
	rows, next, err := s.ShiftHandovers(ctx, f, store.Page{Limit: page.Limit, After: strings.TrimPrefix(page.After, shiftCursor)})
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	for _, r := range rows {
		out = append(out, r)
	}
	if next != "" {
		next = shiftCursor + next
	}
	return out, next, nil
}

// ShiftHandovers reads a page of the shift handovers handed over in the
// filter's range at the caller's sites, the guards by name.
func (s *Service) ShiftHandovers(ctx context.Context, f RegisterFilter, page store.Page) ([]ShiftHandoverRow, string, error) {
	const op = "records.ShiftHandovers"
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	rows, next, err := tx.HandoverRegister(store.HandoverRegisterFilter{SiteIDs: sites(p, f.SiteID), From: f.From, To: f.To}, page)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	var people []string
	for _, r := range rows {
		people = append(people, r.OutgoingUserID, r.IncomingUserID)
	}
	who, err := tx.UserNames(uuids(people))
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	out := make([]ShiftHandoverRow, len(rows))
	for i, r := range rows {
		out[i] = ShiftHandoverRow{Kind: KindShiftHandover, ID: r.ID, SiteID: r.SiteID, Post: r.Post,
			OutgoingUserID: r.OutgoingUserID, OutgoingName: who[r.OutgoingUserID], IncomingUserID: r.IncomingUserID,
			IncomingName: who[r.IncomingUserID], HandedAt: r.HandedAt.UTC(), OutgoingSignedAt: r.OutgoingSignedAt.UTC(),
			Status: "awaiting_incoming", ContentDigest: r.ContentDigest, CreatedAt: r.CreatedAt.UTC()}
		if r.IncomingSignedAt != nil {
			at := r.IncomingSignedAt.UTC()
			out[i].IncomingSignedAt, out[i].Status = &at, "completed"
		}
	}
	return out, next, nil
}

// shiftHandoverHeader is added after the inspection register's columns in
// the handover register's CSV: the shift handover's own fields (blank on
// an inspection's line, which says its kind).
var shiftHandoverHeader = []string{"类型 Kind", "岗位 Post", "交班人 Outgoing guard", "交班签名 Outgoing signed at",
	"接班人 Incoming guard", "接班签名 Incoming signed at", "交接时间 Handed over at", "交接状态 Handover status"}

// handoverLines prints a page of the handover register for the CSV: an
// inspection as in the inspection register plus its kind; a shift
// handover in the shared columns it has (site, the outgoing guard as the
// one who made it, the digest, created) and in its own.
func (n *names) handoverLines(rows []any) ([][]string, error) {
	var inspections []InspectionRow
	for _, r := range rows {
		if row, ok := r.(InspectionRow); ok {
			inspections = append(inspections, row)
		}
	}
	lines, err := n.inspectionLines(inspections)
	if err != nil {
		return nil, err
	}
	out := make([][]string, 0, len(rows))
	for _, line := range lines {
		out = append(out, append(line, KindInspection, "", "", "", "", "", "", ""))
	}
	for _, r := range rows {
		h, ok := r.(ShiftHandoverRow)
		if !ok {
			continue
		}
		line := []string{h.ID, n.site(h.SiteID), n.zone(h.SiteID).String(), "", "", safeCell(h.OutgoingName), h.Status,
			"", "", "", "", "", "", "", h.ContentDigest, n.at(h.SiteID, &h.CreatedAt),
			KindShiftHandover, safeCell(h.Post), safeCell(h.OutgoingName), n.at(h.SiteID, &h.OutgoingSignedAt),
			safeCell(h.IncomingName), n.at(h.SiteID, h.IncomingSignedAt), n.at(h.SiteID, &h.HandedAt), h.Status}
		out = append(out, line)
	}
	return out, nil
}

// shiftHandoverSection prints the shift handovers of the handover
// register: both guards by name, each with when they signed.
func (s *Service) shiftHandoverSection(ctx context.Context, doc tableDoc, n *names, f RegisterFilter) (tableSection, error) {
	section := tableSection{
		heading: [2]string{"值班交接（交班人、接班人双签）", "Shift handovers (signed by the outgoing and the incoming guard)"},
		columns: []tableColumn{{"站点", "Site", 30}, {"岗位", "Post", 28}, {"交接时间", "Handed over", 28},
			{"交班人", "Outgoing guard", 36}, {"接班人", "Incoming guard", 36}, {"状态", "Status", 22}},
		empty: [2]string{"该范围内没有值班交接。", "No shift handovers in this range."},
	}
	err := s.eachPage(ctx, func(page store.Page) (string, int, error) {
		rows, next, err := s.ShiftHandovers(ctx, f, page)
		if err != nil {
			return "", 0, err
		}
		for _, r := range rows {
			status := tableCell{text: doc.t("双方已签", "both signed")}
			incoming := doc.t("签名 ", "signed ") + n.short(r.SiteID, r.IncomingSignedAt)
			if r.IncomingSignedAt == nil {
				status = tableCell{text: doc.t("待接班人签名", "awaiting the incoming guard"), alert: true}
				incoming = doc.t("未签名", "not signed")
			}
			section.rows = append(section.rows, []tableCell{
				{text: n.site(r.SiteID), sub: n.zone(r.SiteID).String()},
				{text: r.Post},
				{text: n.short(r.SiteID, &r.HandedAt)},
				{text: orDash(r.OutgoingName), sub: doc.t("签名 ", "signed ") + n.short(r.SiteID, &r.OutgoingSignedAt)},
				{text: orDash(r.IncomingName), sub: incoming, alert: r.IncomingSignedAt == nil},
				status,
			})
		}
		return next, len(rows), nil
	})
	section.note = capNote(doc, len(section.rows))
	return section, err
}

package records

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// FailedItem is how often one checklist item failed in a period: which
// checks a site keeps failing is what the monthly full inspection (004)
// and the hazard investigation follow up.
type FailedItem struct {
	TemplateKey string `json:"template_key"`
	// Checklist and Item are the checklist's title and the item's label,
	// Chinese and English joined.
	Checklist string `json:"checklist"`
	// ItemPath is the item's path with repeat numbers dropped
	// (/extinguishers/*/pressure), so every block of a repeat counts as one item.
	ItemPath string `json:"item_path"`
	Item     string `json:"item"`
	Failed   int64  `json:"failed"`
}

// failedItemsRead reads checklists as a report needs them, once each.
type failedItemsRead struct {
	tx        *store.Tx
	templates map[versionKey]*checklists.Template
}

// failedItems counts the failed items of a site's inspections submitted
// in the period, most often failed first.
func (r *failedItemsRead) failedItems(rows []store.Evaluated) ([]FailedItem, error) {
	counts := map[[2]string]*FailedItem{}
	for _, row := range rows {
		var evaluation struct {
			Failed []string `json:"failed"`
		}
		if json.Unmarshal(row.Evaluation, &evaluation) != nil {
			continue // an evaluation the engine did not write says nothing
		}
		template, err := r.template(row)
		if err != nil {
			return nil, err
		}
		for _, path := range evaluation.Failed {
			key := [2]string{row.TemplateKey, itemKey(path)}
			item := counts[key]
			if item == nil {
				item = &FailedItem{TemplateKey: row.TemplateKey, Checklist: row.TemplateKey, ItemPath: key[1], Item: path}
				if template != nil {
					item.Checklist = bothTexts(template.Title)
					if label := itemLabel(template, path); label != "" {
						item.Item = repeatless(label)
					}
				}
				counts[key] = item
			}
			item.Failed++
		}
	}
	out := make([]FailedItem, 0, len(counts))
	for _, item := range counts {
		out = append(out, *item)
	}
	sortFailed(out)
	return out, nil
}

func (r *failedItemsRead) template(row store.Evaluated) (*checklists.Template, error) {
	key := versionKey{row.TemplateID, row.TemplateVersion}
	if template, ok := r.templates[key]; ok {
		return template, nil
	}
	version, err := r.tx.TemplateVersion(row.TemplateID, row.TemplateVersion)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	r.templates[key], _ = checklists.Parse([]byte(version.Document))
	return r.templates[key], nil
}

// mergeFailed adds a site's failed items into the total across sites.
func mergeFailed(total, site []FailedItem) []FailedItem {
	for _, item := range site {
		i := slices.IndexFunc(total, func(t FailedItem) bool { return t.TemplateKey == item.TemplateKey && t.ItemPath == item.ItemPath })
		if i < 0 {
			total = append(total, item)
			continue
		}
		total[i].Failed += item.Failed
	}
	sortFailed(total)
	return total
}

func sortFailed(items []FailedItem) {
	slices.SortFunc(items, func(a, b FailedItem) int {
		return cmp.Or(cmp.Compare(b.Failed, a.Failed), cmp.Compare(a.TemplateKey, b.TemplateKey), cmp.Compare(a.ItemPath, b.ItemPath))
	})
}

// itemKey drops the block number of a path inside a repeat.
func itemKey(path string) string {
	parts := strings.Split(path, "/")
	for i, part := range parts {
		if _, err := strconv.Atoi(part); err == nil && i > 0 {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, "/")
}

// repeatless drops the " #n" block number itemLabel gives an item inside
// a repeat.
func repeatless(label string) string {
	head, tail, found := strings.Cut(label, " #")
	if !found {
		return label
	}
	if _, rest, ok := strings.Cut(tail, " · "); ok {
		return head + " · " + rest
	}
	return label
}

func bothTexts(t checklists.Text) string {
	zh, en := localized(t, "zh-CN"), localized(t, "en")
	if zh == en || en == "" {
		return zh
	}
	return zh + " / " + en
}

package checklists

// typeFields reports type-specific fields set on an item of another type: a
// "pattern" on a yes_no item is a template author's mistake, not something
// to ignore silently.
func (checker *validator) typeFields(path string, item *Item) {
	for _, field := range setTypeFields(item) {
		if !fieldAllowed(item.Type, field) {
			checker.add(path+"/"+field, "is not allowed on a %s item", item.Type)
		}
	}
}

// fieldsByType lists the type-specific fields each type accepts.
var fieldsByType = map[ItemType][]string{
	TypeYesNo:          {"allow_na", "pass"},
	TypeSingleChoice:   {"options"},
	TypeMultiChoice:    {"options", "min_selected", "max_selected"},
	TypeNumber:         {"unit", "min", "max", "decimals", "expected"},
	TypeText:           {"max_length", "pattern", "multiline", "expected"},
	TypePhoto:          {"min_count", "max_count"},
	TypeSignature:      {"signer_role"},
	TypeLocation:       {"accuracy_m"},
	TypeCheckpointScan: {"expected_tag"},
	TypeGroup:          {"items", "min_repeats", "max_repeats", "repeat_label"},
}

func fieldAllowed(itemType ItemType, field string) bool {
	for _, allowed := range fieldsByType[itemType] {
		if allowed == field {
			return true
		}
	}
	return false
}

// setTypeFields names the type-specific fields that carry a value.
func setTypeFields(item *Item) []string {
	present := []struct {
		name string
		set  bool
	}{
		{"allow_na", item.AllowNA}, {"pass", item.Pass != ""},
		{"options", item.Options != nil}, {"min_selected", item.MinSelected != nil}, {"max_selected", item.MaxSelected != nil},
		{"unit", item.Unit != ""}, {"min", item.Min != nil}, {"max", item.Max != nil},
		{"decimals", item.Decimals != nil}, {"expected", item.Expected != nil},
		{"max_length", item.MaxLength != nil}, {"pattern", item.Pattern != ""}, {"multiline", item.Multiline},
		{"min_count", item.MinCount != nil}, {"max_count", item.MaxCount != nil},
		{"signer_role", item.SignerRole != ""}, {"accuracy_m", item.AccuracyM != nil},
		{"expected_tag", item.ExpectedTag != ""},
		{"items", item.Items != nil}, {"min_repeats", item.MinRepeats != nil}, {"max_repeats", item.MaxRepeats != nil},
		{"repeat_label", item.RepeatLabel != nil},
	}
	var names []string
	for _, field := range present {
		if field.set {
			names = append(names, field.name)
		}
	}
	return names
}

package checklists

// Text is a localized string keyed by BCP 47 language tag, e.g.
// {"zh-CN": "灭火器", "en": "Fire extinguisher"}. Titles and labels need
// both zh-CN and en because the product ships in both.
type Text map[string]string

// RequiredLanguages are the languages every title and label must carry.
var RequiredLanguages = []string{"zh-CN", "en"}

// In returns the text in language, falling back to en, then zh-CN, so a
// client with an unsupported locale still shows something.
func (t Text) In(language string) string {
	for _, candidate := range []string{language, "en", "zh-CN"} {
		if value := t[candidate]; value != "" {
			return value
		}
	}
	return ""
}

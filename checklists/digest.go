package checklists

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Digest returns the sha256 (hex) of the template's canonical JSON: fields in
// declaration order, object keys sorted, no insignificant whitespace, the
// editor-only "$schema" left out. Formatting, key order and whitespace of the
// source file therefore do not change it, and any change of content does.
// Publishing freezes it so that an inspection pins exactly what it was
// filled against.
func Digest(template *Template) string {
	canonical := *template
	canonical.Schema = ""
	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(&canonical); err != nil {
		// Only unencodable values (NaN, channels) in a Go-built rule can
		// get here; digest their description instead of failing publish.
		buffer.Reset()
		buffer.WriteString(err.Error())
	}
	sum := sha256.Sum256(bytes.TrimRight(buffer.Bytes(), "\n"))
	return hex.EncodeToString(sum[:])
}

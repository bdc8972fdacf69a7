package checklists

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// MaxTemplateBytes bounds a template document; the largest real template is
// a few tens of kilobytes.
const MaxTemplateBytes = 1 << 20

// Parse decodes a template strictly (unknown fields are errors), checks it
// against the published JSON Schema and then runs Validate. Every problem
// found by either is returned at once in a *ValidationError; any other error
// is an internal fault.
func Parse(data []byte) (*Template, error) {
	if len(data) > MaxTemplateBytes {
		return nil, invalid("", fmt.Sprintf("template is larger than %d bytes", MaxTemplateBytes))
	}
	document, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, invalid("", "not valid JSON: "+err.Error())
	}
	fromSchema, err := schemaProblems(document)
	if err != nil {
		return nil, err
	}
	template, decodeErr := decodeStrict(data, true)
	if decodeErr != nil {
		// The schema names unknown fields with their paths; decode leniently
		// so that the semantic problems are reported in the same pass.
		if len(fromSchema) == 0 {
			return nil, invalid("", decodeErr.Error())
		}
		if template, decodeErr = decodeStrict(data, false); decodeErr != nil {
			return nil, &ValidationError{Problems: fromSchema}
		}
	}
	var fromValidate []Problem
	var validationError *ValidationError
	if err := Validate(template); errors.As(err, &validationError) {
		fromValidate = validationError.Problems
	}
	if len(fromSchema)+len(fromValidate) > 0 {
		return nil, merged(fromSchema, fromValidate)
	}
	return template, nil
}

// decodeStrict decodes one JSON document into a Template, refusing trailing
// data and, when strict, unknown fields.
func decodeStrict(data []byte, strict bool) (*Template, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	if strict {
		decoder.DisallowUnknownFields()
	}
	var template Template
	if err := decoder.Decode(&template); err != nil {
		return nil, err
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the template")
	}
	return &template, nil
}

// merged combines schema and semantic problems. Validate's messages are the
// more precise ones, so a schema problem is dropped when Validate already
// reported one at the same path.
func merged(fromSchema, fromValidate []Problem) *ValidationError {
	var problems []Problem
	for _, problem := range fromSchema {
		if !coveredBy(problem, fromValidate) {
			problems = append(problems, problem)
		}
	}
	return &ValidationError{Problems: append(problems, fromValidate...)}
}

func invalid(path, message string) *ValidationError {
	return &ValidationError{Problems: []Problem{{Path: path, Message: message}}}
}

// coveredBy reports whether Validate already said what a schema problem
// says: at the same path, or, for a missing property, at the property.
func coveredBy(problem Problem, fromValidate []Problem) bool {
	missing := strings.HasPrefix(problem.Message, "missing propert")
	for _, other := range fromValidate {
		if other.Path == problem.Path || (missing && strings.HasPrefix(other.Path, problem.Path+"/")) {
			return true
		}
	}
	return false
}

package checklists

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaJSON is the published JSON Schema of the template format
// (schema/template.schema.json), served to editors and mobile clients.
//
//go:embed schema/template.schema.json
var SchemaJSON []byte

const schemaURL = "template.schema.json"

// compiledSchema compiles the embedded schema once; a broken schema is a
// programming error caught by the package tests.
var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	document, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("decode template schema: %w", err)
	}
	compiler := jsonschema.NewCompiler()
	if err := compiler.AddResource(schemaURL, document); err != nil {
		return nil, fmt.Errorf("add template schema: %w", err)
	}
	return compiler.Compile(schemaURL)
})

// schemaProblems validates a decoded JSON document against the schema and
// returns one problem per failed leaf keyword.
func schemaProblems(document any) ([]Problem, error) {
	schema, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	err = schema.Validate(document)
	if err == nil {
		return nil, nil
	}
	validationError, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil, fmt.Errorf("validate template schema: %w", err)
	}
	var problems []Problem
	collectLeaves(validationError, &problems)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
	return dedupe(problems), nil
}

// collectLeaves keeps only the innermost errors: the outer ones ("allOf
// failed", "$ref failed") repeat them with less precision.
func collectLeaves(validationError *jsonschema.ValidationError, problems *[]Problem) {
	if len(validationError.Causes) > 0 {
		for _, cause := range validationError.Causes {
			collectLeaves(cause, problems)
		}
		return
	}
	var path strings.Builder
	for _, token := range validationError.InstanceLocation {
		path.WriteString("/" + pointerToken(token))
	}
	message := validationError.BasicOutput().Error.String()
	if message == "false schema" {
		message = "is not allowed here"
	}
	*problems = append(*problems, Problem{Path: path.String(), Message: message})
}

func dedupe(problems []Problem) []Problem {
	var unique []Problem
	seen := map[Problem]bool{}
	for _, problem := range problems {
		if !seen[problem] {
			unique = append(unique, problem)
			seen[problem] = true
		}
	}
	return unique
}

package apitest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/patrolsync/patrolsync"
)

// bodySchemas compiles the schemas of openapi.yaml's bodies once each, by
// JSON pointer, in one JSON Schema 2020-12 resource of the whole document
// (the validator kin-openapi itself uses for OpenAPI 3.1).
var bodySchemas = struct {
	once     sync.Once
	err      error
	mu       sync.Mutex // the compiler is not safe for concurrent use; compiled schemas are
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}{compiled: map[string]*jsonschema.Schema{}}

// bodyURL names openapi.yaml as a JSON Schema resource; it is never fetched.
const bodyURL = "https://patrolsync.invalid/openapi.json#"

func loadBodySchemas() {
	raw, err := yaml.YAMLToJSON(patrolsync.OpenAPI)
	if err != nil {
		bodySchemas.err = err
		return
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		bodySchemas.err = err
		return
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// date and date-time are asserted, as kin-openapi asserts them; uuid
	// and email were never asserted (libopenapi-validator asserted no
	// format), and asserting them is a change of its own.
	c.AssertFormat()
	for _, name := range []string{"uuid", "email"} {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(any) error { return nil }})
	}
	if bodySchemas.err = c.AddResource(bodyURL, doc); bodySchemas.err == nil {
		bodySchemas.compiler = c
	}
}

func bodySchema(pointer string) (*jsonschema.Schema, error) {
	bodySchemas.once.Do(loadBodySchemas)
	if bodySchemas.err != nil {
		return nil, fmt.Errorf("openapi.yaml as JSON Schema: %w", bodySchemas.err)
	}
	bodySchemas.mu.Lock()
	defer bodySchemas.mu.Unlock()
	if schema, ok := bodySchemas.compiled[pointer]; ok {
		return schema, nil
	}
	schema, err := bodySchemas.compiler.Compile(bodyURL + strings.TrimPrefix(pointer, "#"))
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", pointer, err)
	}
	bodySchemas.compiled[pointer] = schema
	return schema, nil
}

// validateJSON checks a JSON body against the schema at pointer in
// openapi.yaml, naming every failing field by its JSON pointer.
func validateJSON(pointer string, body []byte) error {
	schema, err := bodySchema(pointer)
	if err != nil {
		return err
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	err = schema.Validate(value)
	var invalid *jsonschema.ValidationError
	if errors.As(err, &invalid) {
		// The first line names the schema by its made-up URL; the lines
		// under it are the failing fields.
		_, fields, _ := strings.Cut(invalid.Error(), "\n")
		return fmt.Errorf("does not match %s:\n    %s", pointer, strings.ReplaceAll(fields, "\n", "\n    "))
	}
	return err
}

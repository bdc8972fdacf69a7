package patrolsync_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"

	"github.com/patrolsync/patrolsync"
	"github.com/patrolsync/patrolsync/internal/syncer"
)

// The lint below is what a client generator needs from openapi.yaml: names
// for every operation, declared tags, every answer described, typed sync
// payloads, and examples that are true.

// A flow mapping such as {description: When given, the change ...} reads
// "the change ..." as a key with no value, cutting the text short.
func TestSpecFlowMappingsHaveNoStrayKeys(t *testing.T) {
	var root yamlv3.Node
	if err := yamlv3.Unmarshal(patrolsync.OpenAPI, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yamlv3.Node)
	walk = func(n *yamlv3.Node) {
		if n.Kind == yamlv3.MappingNode && n.Style&yamlv3.FlowStyle != 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, value := n.Content[i], n.Content[i+1]
				if value.Kind == yamlv3.ScalarNode && value.Tag == "!!null" && value.Value == "" {
					t.Errorf("openapi.yaml:%d: %q has no value (an unquoted comma in a flow mapping?)", key.Line, key.Value)
				}
			}
		}
		for _, child := range n.Content {
			walk(child)
		}
	}
	walk(&root)
}

func TestSpecOperations(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(patrolsync.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, tag := range doc.Tags {
		declared[tag.Name] = true
	}
	ids := map[string]string{}
	// Sorted, so that the first of two operations sharing an id is the
	// same one every run.
	for _, path := range doc.Paths.InMatchingOrder() {
		operations := doc.Paths.Value(path).Operations()
		for _, method := range slices.Sorted(maps.Keys(operations)) {
			op := operations[method]
			route := strings.ToUpper(method) + " " + path
			switch {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", route)
			case ids[op.OperationID] != "":
				t.Errorf("%s and %s share operationId %s", ids[op.OperationID], route, op.OperationID)
			default:
				ids[op.OperationID] = route
			}
			if len(op.Tags) == 0 {
				t.Errorf("%s has no tag", route)
			}
			for _, tag := range op.Tags {
				if !declared[tag] {
					t.Errorf("%s uses tag %q, which is not declared", route, tag)
				}
			}
			success, problem := false, false
			for code, response := range op.Responses.Map() {
				if code[0] == '2' || code[0] == '3' {
					success = true
				}
				if code[0] == '4' || code[0] == '5' {
					if response.Value != nil && response.Value.Content.Get("application/problem+json") != nil {
						problem = true
					}
				}
			}
			if !success {
				t.Errorf("%s declares no success answer", route)
			}
			if !problem {
				t.Errorf("%s declares no problem+json error answer", route)
			}
		}
	}
}

// specJSON is openapi.yaml as generic JSON.
func specJSON(t *testing.T) map[string]any {
	t.Helper()
	raw, err := yaml.YAMLToJSON(patrolsync.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// syncSchema names the schemas a mobile client types its replica and
// outbox with.
var syncSchema = regexp.MustCompile(`^(Mutation|Push|Pull|Change|Tombstone|Inspection|Answer|Evaluation|Media|Location|Signature|Scan|Round|Finding|Incident|Notification|Site|Route|Template).*|.*(Mutation|Payload|Change)$`)

// A bare {type: object} tells a generator nothing: in the sync schemas
// every object says what it holds.
func TestSpecSyncSchemasHaveNoBareObjects(t *testing.T) {
	schemas := specJSON(t)["components"].(map[string]any)["schemas"].(map[string]any)
	checked := 0
	for name, schema := range schemas {
		if !syncSchema.MatchString(name) {
			continue
		}
		checked++
		walkSchemas(schema, "#/components/schemas/"+name, func(pointer string, s map[string]any) {
			if !isObjectType(s["type"]) {
				return
			}
			for _, shape := range []string{"properties", "additionalProperties", "patternProperties", "oneOf", "anyOf", "allOf", "$ref"} {
				if _, ok := s[shape]; ok {
					return
				}
			}
			t.Errorf("%s is a bare object: give it properties, additionalProperties or oneOf", pointer)
		})
	}
	if checked < 40 {
		t.Fatalf("only %d sync schemas matched: the pattern is wrong", checked)
	}
}

func isObjectType(v any) bool {
	switch v := v.(type) {
	case string:
		return v == "object"
	case []any:
		return slices.Contains(v, any("object"))
	}
	return false
}

// walkSchemas calls visit for the schema and every subschema in it.
func walkSchemas(node any, pointer string, visit func(pointer string, schema map[string]any)) {
	s, ok := node.(map[string]any)
	if !ok {
		return
	}
	visit(pointer, s)
	for _, key := range []string{"properties", "patternProperties", "$defs"} {
		if children, ok := s[key].(map[string]any); ok {
			for name, child := range children {
				walkSchemas(child, pointer+"/"+key+"/"+escape(name), visit)
			}
		}
	}
	for _, key := range []string{"items", "additionalProperties", "not", "contains"} {
		walkSchemas(s[key], pointer+"/"+key, visit)
	}
	for _, key := range []string{"oneOf", "anyOf", "allOf", "prefixItems"} {
		if list, ok := s[key].([]any); ok {
			for i, child := range list {
				walkSchemas(child, fmt.Sprintf("%s/%s/%d", pointer, key, i), visit)
			}
		}
	}
}

func escape(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

// example is one example in the spec and the schema it illustrates.
type example struct {
	where  string // JSON pointer of the example
	schema string // JSON pointer of its schema
	value  any
}

// specExamples finds every example: schema-level `examples`, and
// media-type and parameter `example`/`examples`.
func specExamples(spec map[string]any) []example {
	var out []example
	for name, schema := range spec["components"].(map[string]any)["schemas"].(map[string]any) {
		walkSchemas(schema, "#/components/schemas/"+escape(name), func(pointer string, s map[string]any) {
			if list, ok := s["examples"].([]any); ok {
				for i, v := range list {
					out = append(out, example{fmt.Sprintf("%s/examples/%d", pointer, i), pointer, v})
				}
			}
		})
	}
	var walk func(node any, pointer string)
	walk = func(node any, pointer string) {
		switch n := node.(type) {
		case map[string]any:
			if _, isSchemaHolder := n["schema"]; isSchemaHolder {
				schema := pointer + "/schema"
				if v, ok := n["example"]; ok {
					out = append(out, example{pointer + "/example", schema, v})
				}
				if named, ok := n["examples"].(map[string]any); ok {
					for key, e := range named {
						if e, ok := e.(map[string]any); ok {
							out = append(out, example{pointer + "/examples/" + escape(key) + "/value", schema, e["value"]})
						}
					}
				}
			}
			for key, child := range n {
				if key != "schema" && key != "example" && key != "examples" {
					walk(child, pointer+"/"+escape(key))
				}
			}
		case []any:
			for i, child := range n {
				walk(child, fmt.Sprintf("%s/%d", pointer, i))
			}
		}
	}
	walk(spec["paths"], "#/paths")
	walk(spec["webhooks"], "#/webhooks")
	sort.Slice(out, func(i, j int) bool { return out[i].where < out[j].where })
	return out
}

// compiler loads the whole spec as one JSON Schema 2020-12 resource, so
// that any schema in it compiles by JSON pointer.
func compiler(t *testing.T, spec map[string]any) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	// Round-trip through the JSON decoder the library expects (numbers as
	// json.Number).
	raw, _ := json.Marshal(spec)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(specURL, doc); err != nil {
		t.Fatal(err)
	}
	return c
}

const specURL = "https://patrolsync.invalid/openapi.json"

func validate(t *testing.T, c *jsonschema.Compiler, schemaPointer string, value any) error {
	t.Helper()
	schema, err := c.Compile(specURL + schemaPointer)
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPointer, err)
	}
	raw, _ := json.Marshal(value)
	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(instance)
}

func TestSpecExamplesMatchTheirSchemas(t *testing.T) {
	spec := specJSON(t)
	c := compiler(t, spec)
	examples := specExamples(spec)
	if len(examples) < 20 {
		t.Fatalf("found only %d examples: the walk is wrong", len(examples))
	}
	for _, e := range examples {
		if err := validate(t, c, e.schema, e.value); err != nil {
			t.Errorf("%s does not match %s:\n%v", e.where, e.schema, err)
		}
	}
}

// Every mutation type and every pulled record type has an example, and
// the discriminators map each type to the schema that holds it.
func TestSpecEveryMutationAndRecordHasAnExample(t *testing.T) {
	spec := specJSON(t)
	c := compiler(t, spec)
	schemas := spec["components"].(map[string]any)["schemas"].(map[string]any)
	for _, union := range []struct{ name, property, enum string }{
		{"Mutation", "type", "MutationType"},
		{"Change", "entity_type", "EntityType"},
	} {
		u := schemas[union.name].(map[string]any)
		discriminator := u["discriminator"].(map[string]any)
		if discriminator["propertyName"] != union.property {
			t.Errorf("%s discriminates on %v, want %s", union.name, discriminator["propertyName"], union.property)
		}
		mapping := discriminator["mapping"].(map[string]any)
		var enum []string
		for _, v := range schemas[union.enum].(map[string]any)["enum"].([]any) {
			enum = append(enum, v.(string))
		}
		if len(mapping) != len(enum) || len(u["oneOf"].([]any)) != len(enum) {
			t.Errorf("%s: %d mapped types and %d branches for the %d of %s", union.name, len(mapping), len(u["oneOf"].([]any)), len(enum), union.enum)
		}
		for _, value := range enum {
			ref, ok := mapping[value].(string)
			if !ok {
				t.Errorf("%s %q is not mapped", union.name, value)
				continue
			}
			pointer := strings.TrimPrefix(ref, "#")
			variant := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
			constant := variant["properties"].(map[string]any)[union.property].(map[string]any)["const"]
			if constant != value {
				t.Errorf("%s maps %q to %s, whose %s is %v", union.name, value, ref, union.property, constant)
			}
			list, _ := variant["examples"].([]any)
			if len(list) == 0 {
				t.Errorf("%s (%s %q) has no example", ref, union.name, value)
			}
			for i, e := range list {
				if err := validate(t, c, "#"+pointer, e); err != nil {
					t.Errorf("%s example %d: %v", ref, i, err)
				}
				if err := validate(t, c, "#/components/schemas/"+union.name, e); err != nil {
					t.Errorf("%s example %d does not match %s: %v", ref, i, union.name, err)
				}
			}
		}
	}
}

// The spec types exactly the mutations the server applies.
func TestSpecMutationTypesAreTheServers(t *testing.T) {
	schemas := specJSON(t)["components"].(map[string]any)["schemas"].(map[string]any)
	var spec []string
	for _, v := range schemas["MutationType"].(map[string]any)["enum"].([]any) {
		spec = append(spec, v.(string))
	}
	sort.Strings(spec)
	if got, want := strings.Join(spec, " "), strings.Join(syncer.MutationTypes(), " "); got != want {
		t.Fatalf("openapi.yaml's mutation types:\n  %s\nthe server's:\n  %s", got, want)
	}
}

// The lint must fail what it is there to catch.
func TestSpecLintCatchesBadExamples(t *testing.T) {
	spec := specJSON(t)
	c := compiler(t, spec)
	bad := map[string]any{"mutation_id": "0194f2a0-1111-7000-8000-000000000001", "type": "answer.set",
		"entity_id": "0194f2a0-2222-7000-8000-000000000002", "payload": map[string]any{"path": "/a", "answer": map[string]any{"valu": 1}}}
	if validate(t, c, "#/components/schemas/Mutation", bad) == nil {
		t.Fatal("an answer.set with a misspelt answer field passed")
	}
	unknown := map[string]any{"mutation_id": "0194f2a0-1111-7000-8000-000000000001", "type": "inspection.delete",
		"entity_id": "0194f2a0-2222-7000-8000-000000000002", "payload": map[string]any{}}
	if validate(t, c, "#/components/schemas/Mutation", unknown) == nil {
		t.Fatal("an unknown mutation type passed")
	}
	if !isObjectType("object") || isObjectType("string") {
		t.Fatal("isObjectType is wrong")
	}
}

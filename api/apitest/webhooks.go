package apitest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/patrolsync/patrolsync"
)

const specURL = "https://patrolsync.invalid/openapi.json"

var (
	webhookOnce     sync.Once
	webhookCompiler *jsonschema.Compiler
	webhookSpec     map[string]any
	webhookErr      error
)

// CheckWebhook fails the test unless a webhook the server posted is what
// openapi.yaml's webhooks section says for its event: the headers and the
// body. It may be called from a webhook receiver's goroutine.
func CheckWebhook(t testing.TB, header http.Header, body []byte) {
	t.Helper()
	webhookOnce.Do(loadWebhooks)
	if webhookErr != nil {
		t.Errorf("openapi.yaml webhooks: %v", webhookErr)
		return
	}
	event := header.Get("X-Patrolsync-Event")
	webhooks, _ := webhookSpec["webhooks"].(map[string]any)
	if _, ok := webhooks[event]; !ok {
		t.Errorf("contract: webhook event %q is not in openapi.yaml's webhooks", event)
		return
	}
	base := "#/webhooks/" + strings.ReplaceAll(event, "/", "~1") + "/post"
	for _, name := range []string{"X-Patrolsync-Signature", "X-Patrolsync-Event", "X-Patrolsync-Delivery"} {
		param := strings.ReplaceAll(name, "X-Patrolsync-", "Webhook")
		check(t, "#/components/parameters/"+param+"/schema", header.Get(name), "webhook header "+name)
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("contract: webhook %s has Content-Type %q", event, ct)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		t.Errorf("contract: webhook %s body is not JSON: %s", event, body)
		return
	}
	check(t, base+"/requestBody/content/application~1json/schema", value, "webhook "+event+" body")
}

func check(t testing.TB, pointer string, value any, what string) {
	t.Helper()
	schema, err := webhookCompiler.Compile(specURL + pointer)
	if err != nil {
		t.Errorf("compile %s: %v", pointer, err)
		return
	}
	raw, _ := json.Marshal(value)
	instance, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err := schema.Validate(instance); err != nil {
		t.Errorf("contract: %s is not what openapi.yaml says (%s): %v", what, pointer, err)
	}
}

func loadWebhooks() {
	raw, err := yaml.YAMLToJSON(patrolsync.OpenAPI)
	if err != nil {
		webhookErr = err
		return
	}
	if webhookErr = json.Unmarshal(raw, &webhookSpec); webhookErr != nil {
		return
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		webhookErr = err
		return
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if webhookErr = c.AddResource(specURL, doc); webhookErr == nil {
		webhookCompiler = c
	}
}

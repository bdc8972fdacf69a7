package apitest

import (
	"encoding/json"
	"net/http"
)

// TemplateIDs answers the ids of tenant's templates by their key.
func (e *Env) TemplateIDs(tenant *Tenant) map[string]string {
	e.t.Helper()
	var list struct{ Items []struct{ ID, Key string } }
	e.Get("/v1/templates?limit=100", tenant.Admin.Token).Want(e.t, http.StatusOK).JSON(e.t, &list)
	ids := map[string]string{}
	for _, template := range list.Items {
		ids[template.Key] = template.ID
	}
	return ids
}

// PublishTemplate saves document as the draft of template id and
// publishes it, as tenant's administrator does in the console.
func (e *Env) PublishTemplate(tenant *Tenant, id string, document json.RawMessage) {
	e.t.Helper()
	e.Patch("/v1/templates/"+id, tenant.Admin.Token, map[string]any{"document": document}).Want(e.t, http.StatusOK)
	e.Post("/v1/templates/"+id+"/publish", tenant.Admin.Token, map[string]any{}).Want(e.t, http.StatusOK)
}

// Retitled is the draft of template id under another title: the smallest
// hand-edit that makes a standard template the organisation's own.
func (e *Env) Retitled(tenant *Tenant, id string, title map[string]string) json.RawMessage {
	e.t.Helper()
	var template struct{ Draft map[string]any }
	e.Get("/v1/templates/"+id, tenant.Admin.Token).Want(e.t, http.StatusOK).JSON(e.t, &template)
	template.Draft["title"] = title
	document, err := json.Marshal(template.Draft)
	if err != nil {
		e.t.Fatal(err)
	}
	return document
}

// BehindLibrary makes tenant an organisation that the standard library has
// moved on from, as the library upgrade's tests start: the hidden hazard
// investigation published at previous (the library's previous release,
// api/testdata/hidden-hazard-investigation-previous-release.json, which
// becomes version 2) and the security assessment published under the
// organisation's own title. It answers the templates' ids by key.
func (e *Env) BehindLibrary(tenant *Tenant, previous json.RawMessage, title map[string]string) map[string]string {
	e.t.Helper()
	ids := e.TemplateIDs(tenant)
	e.PublishTemplate(tenant, ids["hidden-hazard-investigation"], previous)
	e.PublishTemplate(tenant, ids["security-assessment"], e.Retitled(tenant, ids["security-assessment"], title))
	return ids
}

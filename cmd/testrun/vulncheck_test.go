package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestReachedVulnsCountsOnlyCalledCode(t *testing.T) {
	stream := `{"config":{"protocol_version":"v1.0.0"}}
{"osv":{"id":"GO-1"}}
{"finding":{"osv":"GO-1","trace":[{"module":"m","package":"m/p","function":"F"}]}}
{"finding":{"osv":"GO-2","trace":[{"module":"m","package":"m/p"}]}}
{"finding":{"osv":"GO-3","trace":[{"module":"m"}]}}
{"finding":{"osv":"GO-1","trace":[{"module":"m","package":"m/p","function":"G"}]}}
`
	got, err := reachedVulns(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"GO-1"}) {
		t.Fatalf("reached = %v, want only the advisory whose function is called", got)
	}
	if _, err := reachedVulns(strings.NewReader(`{"finding":`)); err == nil {
		t.Fatal("a cut stream must be an error")
	}
}

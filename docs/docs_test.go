package docs

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/athar-project/athar/internal/athar"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func mustSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	s, err := c.Compile("bundle.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBundleSchema_AcceptsTheSeed(t *testing.T) {
	f, err := os.Open("../data/seed/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := mustSchema(t).Validate(doc); err != nil {
		t.Errorf("the seed does not match docs/bundle.schema.json: %v", err)
	}
}

func TestBundleSchema_RejectsMistakes(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field":       `{"format":"athar-bundle","version":1,"places":[{"id":"place:a","name":"A","kind":"CITY","nmae":"x"}]}`,
		"unknown enum":        `{"format":"athar-bundle","version":1,"facilities":[{"id":"facility:a","name":"A","type":"CASTLE"}]}`,
		"wrong id prefix":     `{"format":"athar-bundle","version":1,"actors":[{"id":"place:a","name":"A","kind":"NGO"}]}`,
		"claim without quote": `{"format":"athar-bundle","version":1,"claims":[{"id":"claim:a","attackId":"attack:a","sourceId":"source:s","kind":"NARRATIVE","text":"t"}]}`,
		"wrong version":       `{"format":"athar-bundle","version":3}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		if err := mustSchema(t).Validate(v); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestBundleSchema_IsGenerated keeps bundle.schema.json what the entities' descriptions make of it.
func TestBundleSchema_IsGenerated(t *testing.T) {
	want, err := athar.BundleJSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("bundle.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("bundle.schema.json is not what the descriptions make: run go generate ./...")
	}
}

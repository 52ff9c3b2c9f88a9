package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/athar/athartest"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// TestEveryField_RoundTrips fills every field of every entity (from the entities' descriptions, so
// a new field is covered as soon as it is described) and checks that it comes back unchanged
// through the store, through a bundle export and import in both forms, and through GraphQL: the
// create and update mutations, and the entity's own fields in a query.
func TestEveryField_RoundTrips(t *testing.T) {
	ctx := context.Background()
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	// fresh empties the database and imports the plain entities the full ones refer to, and a copy
	// of each for the update mutations to change; with withFull, it then creates the full ones
	// through the store, one transaction each.
	fresh := func(t *testing.T, withFull bool) []athar.Entity {
		t.Helper()
		neo4jtest.Wipe(t)
		if _, err := store.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		full, plain := athartest.Graph(true)
		b := &athar.Bundle{}
		for _, e := range plain {
			c := athar.DescriptionOf(e).New()
			_ = json.Unmarshal(mustJSON(t, e), c)
			athar.SetID(c, e.EntityType().Record()+":patched")
			b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()}, athar.Record{Entity: c, Where: c.EntityID()})
		}
		b.Sort()
		if _, err := store.Import(ctx, b, neo4jstore.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if withFull {
			for _, e := range full {
				if _, err := store.Create(ctx, e); err != nil {
					t.Fatalf("creating %s: %v", e.EntityID(), err)
				}
			}
		}
		return full
	}
	stored := func(t *testing.T) map[string]athar.Entity {
		t.Helper()
		b, err := store.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]athar.Entity{}
		for _, e := range b.Entities() {
			out[e.EntityID()] = e
		}
		return out
	}

	t.Run("store", func(t *testing.T) {
		full := fresh(t, true)
		got := stored(t)
		for _, want := range full {
			assertSame(t, want, got[want.EntityID()])
		}
		// The retraction's time is not in the bundle form, so it is checked here.
		claim := got["claim:full"].(*athar.Claim)
		if claim.Retracted == nil || !claim.Retracted.At.Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("retraction = %+v", claim.Retracted)
		}
	})

	t.Run("bundle", func(t *testing.T) {
		for _, ndjson := range []bool{false, true} {
			full := fresh(t, true)
			b, err := store.Export(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := b.Write(&buf, ndjson); err != nil {
				t.Fatal(err)
			}
			neo4jtest.Wipe(t)
			read, err := athar.ReadBundle(&buf)
			if err != nil {
				t.Fatalf("ndjson %v: %v", ndjson, err)
			}
			if _, err := store.Import(ctx, read, neo4jstore.ImportOptions{}); err != nil {
				t.Fatalf("ndjson %v: %v", ndjson, err)
			}
			got := stored(t)
			for _, want := range full {
				assertSame(t, want, got[want.EntityID()])
			}
		}
	})

	t.Run("graphql", func(t *testing.T) {
		full := fresh(t, false)
		c := newClient(t, store)
		schema := mustSchema(t)
		for _, e := range full {
			d := athar.DescriptionOf(e)
			input := inputOf(t, e, func(f *athar.Field) bool { return !f.NoInput })
			input["clientMutationId"] = "create " + e.EntityID()
			mustMutate(t, c, schema, createInput(t, schema, d), input, e.EntityID())

			// An update that gives every field but the fixed ones turns a plain entity into a
			// copy of the full one.
			patch := inputOf(t, e, func(f *athar.Field) bool { return !f.NoInput && !f.Fixed })
			patch["id"] = d.Type.Record() + ":patched"
			mustMutate(t, c, schema, "Update"+string(d.Type)+"Input", patch, d.Type.Record()+":patched")
		}
		got := stored(t)
		for _, want := range full {
			d := athar.DescriptionOf(want)
			want = withoutRetraction(want)
			assertSame(t, want, got[want.EntityID()])

			patched := d.New()
			_ = json.Unmarshal(mustJSON(t, want), patched)
			athar.SetID(patched, d.Type.Record()+":patched")
			for _, f := range d.Fields {
				if f.Fixed {
					f.SetText(patched, f.Text(got[patched.EntityID()]))
				}
			}
			assertSame(t, patched, got[patched.EntityID()])

			// An update that gives every optional field as null clears them all.
			nulls := map[string]any{"id": patched.EntityID()}
			for _, f := range d.Fields {
				if !f.Required && !f.Fixed && !f.NoInput {
					nulls[f.Name] = nil
				}
			}
			mustMutate(t, c, schema, "Update"+string(d.Type)+"Input", nulls, patched.EntityID())
			cleared := stored(t)[patched.EntityID()]
			blank := d.New() // what a field left unset becomes: zero, or its default (a claim asserts)
			athar.Normalize(blank)
			for _, f := range d.Fields {
				_, isNull := nulls[f.Name]
				isDefault := f.Shape == athar.ShapeEnum && f.Text(cleared) == f.Text(blank)
				if isNull && !f.IsZero(cleared) && !isDefault {
					t.Errorf("%s.%s was given as null and is still set", d.Type, f.Name)
				}
			}

			// The entity's own fields read back through a query as they were written.
			query, fields := ownFieldsQuery(d)
			var data map[string]map[string]any
			c.MustData(query, map[string]any{"id": want.EntityID()}, &data)
			answer := data[d.Record()]
			var written map[string]any
			_ = json.Unmarshal(mustJSON(t, want), &written)
			for _, f := range fields {
				wantValue := written[f.Name]
				if f.Shape == athar.ShapeDate {
					date := f.Date(want)
					wantValue = map[string]any{"start": date.Start.Format(time.DateOnly), "end": date.End.Format(time.DateOnly),
						"precision": string(date.Precision), "note": date.Note}
				}
				if g, w := mustJSON(t, answer[f.Name]), mustJSON(t, wantValue); !bytes.Equal(g, w) {
					t.Errorf("%s.%s reads back as %s, want %s", d.Type, f.Name, g, w)
				}
			}
		}
		// A field an entity does not have reads as null (a list as empty), never as "".
		for _, d := range athar.Descriptions() {
			query, fields := ownFieldsQuery(d)
			var data map[string]map[string]any
			c.MustData(query, map[string]any{"id": d.Record() + ":plain"}, &data)
			blank := d.New()
			athar.Normalize(blank)
			for _, f := range fields {
				v, list := data[d.Record()][f.Name], f.Shape == athar.ShapeTextList || f.Shape == athar.ShapeEnumList
				switch {
				case f.Required, f.Shape == athar.ShapeEnum && f.Text(blank) != "":
				case list && fmt.Sprint(v) != "[]":
					t.Errorf("%s.%s, unset, reads as %#v, want []", d.Type, f.Name, v)
				case !list && v != nil:
					t.Errorf("%s.%s, unset, reads as %#v, want null", d.Type, f.Name, v)
				}
			}
		}
	})
}

// TestSchema_InputsFollowTheDescriptions holds the schema's inputs to the entities' descriptions:
// the create input (CreateXInput, or AddClaimInput) has, besides clientMutationId and the reason
// kept in its change record, the id and every field an input may set, non-null exactly where the
// field is required; UpdateXInput has, besides those and the id of the entity to change, the same
// but the fixed fields, all
// nullable; X has a field of the same name for every field that is not a reference; and every enum
// field's GraphQL enum has the domain's values, in order.
func TestSchema_InputsFollowTheDescriptions(t *testing.T) {
	schema := mustSchema(t)
	for _, d := range athar.Descriptions() {
		input, patch, out := schema.Types[createInput(t, schema, d)], schema.Types["Update"+string(d.Type)+"Input"], schema.Types[string(d.Type)]
		if patch == nil || out == nil {
			t.Fatalf("the schema lacks Update%[1]sInput or %[1]s", d.Type)
		}
		for def, extra := range map[*ast.Definition][]string{input: {"clientMutationId", "reason"}, patch: {"clientMutationId", "reason", "id"}} {
			for _, name := range extra {
				if f := def.Fields.ForName(name); f == nil || f.Type.NonNull != (name == "id") {
					t.Errorf("%s.%s is missing, or nullable where it must not be", def.Name, name)
				}
			}
		}
		wantInput, wantPatch := map[string]bool{"id": false}, map[string]bool{}
		if athar.HasIdentity(d.Type) {
			wantInput["distinctFrom"] = false // the existing entities a create is not a duplicate of
		}
		for _, f := range d.Fields {
			if f.NoInput {
				continue
			}
			wantInput[f.Name] = f.Required
			if !f.Fixed {
				wantPatch[f.Name] = false
			}
			if f.Shape != athar.ShapeRef && f.Shape != athar.ShapeRefList && out.Fields.ForName(f.Name) == nil {
				t.Errorf("%s has no field %s", d.Type, f.Name)
			}
			if f.Enum != nil {
				def := out.Fields.ForName(f.Name)
				if def == nil {
					def = input.Fields.ForName(f.Name)
				}
				enum := schema.Types[def.Type.Name()]
				var values []string
				for _, v := range enum.EnumValues {
					values = append(values, v.Name)
				}
				if strings.Join(values, " ") != strings.Join(f.Enum, " ") {
					t.Errorf("%s.%s: enum %s has %v, the domain %v", d.Type, f.Name, enum.Name, values, f.Enum)
				}
			}
		}
		for def, want := range map[*ast.Definition]map[string]bool{input: wantInput, patch: wantPatch} {
			got := map[string]bool{}
			for _, f := range def.Fields {
				if f.Name != "clientMutationId" && f.Name != "reason" && !(def == patch && f.Name == "id") {
					got[f.Name] = f.Type.NonNull
				}
			}
			if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
				t.Errorf("%s has fields (name: non-null) %s; the description says %s", def.Name, g, w)
			}
		}
	}
}

func mustSchema(tb testing.TB) *ast.Schema {
	tb.Helper()
	src, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		tb.Fatal(err)
	}
	return gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
}

// createInput returns the name of the input type that creates an entity of the description's type:
// CreateXInput, or AddXInput for an entity that is added to another (a claim to an attack).
func createInput(tb testing.TB, schema *ast.Schema, d *athar.Description) string {
	tb.Helper()
	for _, name := range []string{"Create" + string(d.Type) + "Input", "Add" + string(d.Type) + "Input"} {
		if schema.Types[name] != nil {
			return name
		}
	}
	tb.Fatalf("the schema has neither Create%[1]sInput nor Add%[1]sInput", d.Type)
	return ""
}

// mutationTaking returns the mutation whose input argument is of the named input type, and the
// field of its payload that holds the entity it writes (the payload's one field of a Node type).
func mutationTaking(tb testing.TB, schema *ast.Schema, inputType string) (mutation, entityField string) {
	tb.Helper()
	for _, f := range schema.Mutation.Fields {
		if arg := f.Arguments.ForName("input"); arg != nil && arg.Type.Name() == inputType {
			for _, pf := range schema.Types[f.Type.Name()].Fields {
				if slices.Contains(schema.Types[pf.Type.Name()].Interfaces, "Node") {
					return f.Name, pf.Name
				}
			}
			tb.Fatalf("the payload of %s holds no entity", f.Name)
		}
	}
	tb.Fatalf("no mutation takes %s", inputType)
	return "", ""
}

// mustMutate runs the mutation that takes the named input type with input, and checks that it
// wrote the entity with the id wantID, with no user errors, and echoed the clientMutationId.
func mustMutate(tb testing.TB, c *client, schema *ast.Schema, inputType string, input map[string]any, wantID string) {
	tb.Helper()
	mutation, field := mutationTaking(tb, schema, inputType)
	var data map[string]struct {
		ClientMutationID *string
		Entity           map[string]any `json:"entity"`
		UserErrors       []userError
	}
	c.MustMutate(fmt.Sprintf(`mutation ($input: %s!) { %s(input: $input) { clientMutationId entity: %s { id } userErrors { field code message } } }`, inputType, mutation, field),
		map[string]any{"input": input}, &data)
	got := data[mutation]
	if got.Entity["id"] != wantID {
		tb.Errorf("%s wrote %v, want %s", mutation, got.Entity, wantID)
	}
	if cmid, _ := input["clientMutationId"].(string); cmid != "" && (got.ClientMutationID == nil || *got.ClientMutationID != cmid) {
		tb.Errorf("%s: clientMutationId %v, want %q", mutation, got.ClientMutationID, cmid)
	}
}

// inputOf returns the entity in its bundle form, which is the API's input form, keeping the fields
// keep allows (and the id).
func inputOf(tb testing.TB, e athar.Entity, keep func(*athar.Field) bool) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(mustJSON(tb, e), &m); err != nil {
		tb.Fatal(err)
	}
	for _, f := range athar.DescriptionOf(e).Fields {
		if !keep(f) {
			delete(m, f.Name)
		}
	}
	return m
}

// ownFieldsQuery queries an entity's fields that are not references, by id.
func ownFieldsQuery(d *athar.Description) (string, []*athar.Field) {
	var sel []string
	var fields []*athar.Field
	for _, f := range d.Fields {
		var s string
		switch f.Shape {
		case athar.ShapeText, athar.ShapeTextList, athar.ShapeEnum, athar.ShapeEnumList:
			s = f.Name
		case athar.ShapeDate:
			s = f.Name + " { start end precision note }"
		case athar.ShapeLocation:
			s = f.Name + " { latitude longitude precision }"
		case athar.ShapeRange:
			s = f.Name + " { low best high }"
		default:
			continue
		}
		sel = append(sel, s)
		fields = append(fields, f)
	}
	return fmt.Sprintf("query ($id: ID!) { %s(id: $id) { %s } }", d.Record(), strings.Join(sel, " ")), fields
}

func withoutRetraction(e athar.Entity) athar.Entity {
	for _, f := range athar.DescriptionOf(e).Fields {
		if f.Shape == athar.ShapeRetraction {
			f.SetRetraction(e, nil)
		}
	}
	return e
}

func assertSame(tb testing.TB, want, got athar.Entity) {
	tb.Helper()
	if got == nil {
		tb.Errorf("%s did not come back", want.EntityID())
		return
	}
	if g, w := mustJSON(tb, got), mustJSON(tb, want); !bytes.Equal(g, w) {
		tb.Errorf("%s came back as\n%s\nwant\n%s", want.EntityID(), g, w)
	}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

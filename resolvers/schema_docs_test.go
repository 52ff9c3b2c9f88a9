package resolvers_test

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestSchema_EverythingIsDescribed holds the schema to its promise that the playground shows a
// description for everything: every type, field, argument, input field and enum value that the
// schema defines (not GraphQL's own), and every directive it defines with its arguments. Importers
// map their taxonomies onto the enums by these descriptions, so a value without one is a gap.
func TestSchema_EverythingIsDescribed(t *testing.T) {
	src, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	var missing []string
	need := func(description, what string) {
		if strings.TrimSpace(description) == "" {
			missing = append(missing, what)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(schema.Types)) {
		def := schema.Types[name]
		if isBuiltInType(def) {
			continue
		}
		need(def.Description, name)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue // __typename and, on Query, __schema and __type
			}
			need(f.Description, name+"."+f.Name)
			for _, a := range f.Arguments {
				need(a.Description, name+"."+f.Name+"("+a.Name+")")
			}
		}
		for _, v := range def.EnumValues {
			need(v.Description, name+"."+v.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(schema.Directives)) {
		d := schema.Directives[name]
		if isBuiltInDirective(d) {
			continue
		}
		need(d.Description, "@"+name)
		for _, a := range d.Arguments {
			need(a.Description, "@"+name+"("+a.Name+")")
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d definitions of schema.graphqls have no description:\n\t%s", len(missing), strings.Join(missing, "\n\t"))
	}
}

// builtInScalars are the scalars every GraphQL schema has.
var builtInScalars = []string{"String", "Int", "Float", "Boolean", "ID"}

// isBuiltInType reports whether a type is GraphQL's own: a built-in scalar or an introspection type.
func isBuiltInType(def *ast.Definition) bool {
	return def.BuiltIn || strings.HasPrefix(def.Name, "__") || slices.Contains(builtInScalars, def.Name) ||
		def.Position != nil && def.Position.Src != nil && def.Position.Src.BuiltIn
}

// isBuiltInDirective reports whether a directive is GraphQL's own (@skip, @include, @deprecated…).
func isBuiltInDirective(d *ast.DirectiveDefinition) bool {
	return d.Position == nil || d.Position.Src == nil || d.Position.Src.BuiltIn
}

package resolvers

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// CodeIntrospectionDisabled is the extensions.code of a query for __schema or __type when
// introspection is off (ATHAR_INTROSPECTION=false).
const CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"

// noIntrospection is the validation rule that refuses __schema and __type when introspection is
// off, before anything runs: a client is told so instead of meeting an internal error.
// __typename stays: it names a type the client already has in hand.
var noIntrospection = core.Rule{
	Name: "NoIntrospection",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		observers.OnField(func(_ *core.Walker, field *ast.Field) {
			if field.Name == "__schema" || field.Name == "__type" {
				addError(core.Message("introspection is disabled on this server: %s cannot be queried", field.Name), core.At(field.Position))
			}
		})
	},
}

// validationRules returns GraphQL's validation rules for the server. Without introspection the
// schema is not public, so the rules that suggest names ("Did you mean ...?") are swapped for
// their versions without suggestions, which would otherwise list fields, arguments, types and
// enum values a client did not ask for, and noIntrospection is added. (gqlgen's
// SetDisableSuggestion swaps FieldsOnCorrectType and ScalarLeafs; the others are swapped here.)
func validationRules(introspection bool) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		if introspection {
			return r
		}
		for _, quiet := range []core.Rule{
			rules.KnownArgumentNamesRuleWithoutSuggestions,
			rules.KnownTypeNamesRuleWithoutSuggestions,
			rules.ValuesOfCorrectTypeRuleWithoutSuggestions,
		} {
			r.RemoveRule(strings.TrimSuffix(quiet.Name, "WithoutSuggestions"))
			r.AddRule(quiet.Name, quiet.RuleFunc)
		}
		r.AddRule(noIntrospection.Name, noIntrospection.RuleFunc)
		return r
	}
}

// Validation messages that name an argument, and the rules that make them.
var (
	namedArgument = regexp.MustCompile(`argument "([_A-Za-z][_0-9A-Za-z]*)"`)
	argumentRules = map[string]bool{
		"KnownArgumentNames": true, "KnownArgumentNamesWithoutSuggestions": true,
		"ProvidedRequiredArguments": true, "UniqueArgumentNames": true,
	}
)

// annotateRequestErrors gives GraphQL's own request errors (document validation, variable
// coercion) the extensions.field a client can act on, as resolver errors have it:
//
//   - a literal of the wrong type: the path of the argument and input fields it was given for
//     ("input.kind", "filter.dateRange.to"), found by its place in query;
//   - an unknown, missing or repeated argument: the argument's name;
//   - a variable that does not fit its type: the path in the variables ("input.name"), with a
//     message in GraphQL's and JSON's terms rather than Go's ("variable $input.name: cannot be
//     null").
//
// The document is parsed again only when a literal needs its path, once for all the errors.
func annotateRequestErrors(query string, errs gqlerror.List) {
	var paths map[[2]int]string
	for _, e := range errs {
		if e == nil {
			continue
		}
		field := ""
		switch {
		case len(e.Path) >= 2 && e.Path[0] == ast.PathName("variable"):
			field = variablePath(e.Path[1:])
			e.Message = "variable $" + field + ": " + variableProblem(e.Message)
		case strings.HasPrefix(e.Rule, "ValuesOfCorrectType") && len(e.Locations) > 0:
			if paths == nil {
				paths = literalPaths(query)
			}
			field = paths[[2]int{e.Locations[0].Line, e.Locations[0].Column}]
		case argumentRules[e.Rule]:
			if m := namedArgument.FindStringSubmatch(e.Message); m != nil {
				field = m[1]
			}
		}
		if field != "" {
			if e.Extensions == nil {
				e.Extensions = map[string]any{}
			}
			e.Extensions["field"] = field
		}
	}
}

// variablePath joins a path in the variables: "input.ids[2]".
func variablePath(p ast.Path) string {
	var b strings.Builder
	for _, el := range p {
		switch el := el.(type) {
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(el))
		case ast.PathIndex:
			b.WriteString("[" + strconv.Itoa(int(el)) + "]")
		}
	}
	return b.String()
}

// gqlparser's variable messages that name Go kinds ("cannot use map as Int", "must be a
// CreatePlaceInput, not a slice"), and what a client is told instead.
var (
	cannotUseAs  = regexp.MustCompile(`^cannot use (?:value )?\S+ as (\S+)$`)
	mustBeNotA   = regexp.MustCompile(`^must be a (\S+), not a \S+$`)
	variableText = map[string]string{
		"cannot be null":                "cannot be null",
		"must be defined":               "must be given: its type is non-null",
		"unknown field":                 "is not a field of this input type",
		"enums must be ints or strings": "must be an enum value, as a string",
		"must an input type":            "its declared type must be an input type",
	}
)

// variableProblem rewrites a gqlparser variable message in GraphQL's and JSON's terms.
func variableProblem(msg string) string {
	if m := cannotUseAs.FindStringSubmatch(msg); m != nil {
		return "not a valid " + m[1]
	}
	if m := mustBeNotA.FindStringSubmatch(msg); m != nil {
		return "must be a " + m[1] + " (a JSON object)"
	}
	if t, ok := variableText[msg]; ok {
		return t
	}
	return msg
}

// literalPaths maps the place (line, column) of every argument value in query, and of every
// value inside one, to its path: the argument's name, then input fields by name and list items
// by index ("input.date.start", "ids[1]"). A query that does not parse maps nothing.
func literalPaths(query string) map[[2]int]string {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	paths := map[[2]int]string{}
	var value func(v *ast.Value, path string)
	value = func(v *ast.Value, path string) {
		if v == nil {
			return
		}
		if v.Position != nil {
			paths[[2]int{v.Position.Line, v.Position.Column}] = path
		}
		for i, c := range v.Children {
			switch v.Kind {
			case ast.ListValue:
				value(c.Value, path+"["+strconv.Itoa(i)+"]")
			default:
				value(c.Value, path+"."+c.Name)
			}
		}
	}
	var selections func(set ast.SelectionSet)
	arguments := func(args ast.ArgumentList, dirs ast.DirectiveList) {
		for _, a := range args {
			value(a.Value, a.Name)
		}
		for _, d := range dirs {
			for _, a := range d.Arguments {
				value(a.Value, a.Name)
			}
		}
	}
	selections = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				arguments(s.Arguments, s.Directives)
				selections(s.SelectionSet)
			case *ast.InlineFragment:
				arguments(nil, s.Directives)
				selections(s.SelectionSet)
			case *ast.FragmentSpread:
				arguments(nil, s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		for _, vd := range op.VariableDefinitions {
			value(vd.DefaultValue, vd.Variable)
		}
		arguments(nil, op.Directives)
		selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		arguments(nil, f.Directives)
		selections(f.SelectionSet)
	}
	return paths
}

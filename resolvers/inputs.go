package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// DefaultMaxStringLength is the longest String argument or variable, in characters: 20,000, room
// for the longest text Athar stores (a claim's quote is a passage of its source, a paragraph or a
// few: the longest in the seed data is under 1,000 characters) twenty times over. Search texts have
// their own, far shorter limit (athar.MaxSearchText).
const DefaultMaxStringLength = 20_000

// DefaultMaxIDLength is the longest ID argument or variable, in bytes: an id is a type's name of at
// most 8 letters, a colon and a slug of at most 200 characters (athar's idPattern), so 256 holds
// every id there can be.
const DefaultMaxIDLength = 256

// inputLimits checks what an operation is given, before it runs, as the GraphQL
// specification's input coercion says (section 3.5, Scalars; 3.10, Input Objects) and more
// strictly than gqlgen does by itself: a variable of type String takes only a JSON string, Int only
// an integral number within 32 bits, Float a number, ID a string or an integral number, Boolean only
// true or false, an enum only a string, wherever the type occurs (inside input objects and lists
// too); Int literals too must lie within 32 bits. Every String is at most maxString characters and
// every ID at most maxID bytes. An error names the argument (or the variable) and the path inside it
// in extensions.field: "filter.minKilled", "input.names.1".
type inputLimits struct {
	schema           *ast.Schema
	maxString, maxID int
}

// ExtensionName implements graphql.HandlerExtension.
func (inputLimits) ExtensionName() string { return "InputLimits" }

// Validate implements graphql.HandlerExtension.
func (l inputLimits) Validate(graphql.ExecutableSchema) error {
	if l.schema == nil || l.maxString < 1 || l.maxID < 1 {
		return fmt.Errorf("input limits need the schema and limits of at least 1")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator: it checks the literal
// arguments of the validated operation. The variables were checked before gqlgen coerced them, by
// documentLimits through variables.
func (l inputLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Doc == nil {
		return nil
	}
	// Literal values, each written once: the variables' defaults, the operation's arguments and
	// each fragment's (validation has refused fragments that are not used).
	for _, v := range oc.Operation.VariableDefinitions {
		if err := l.literal(v.Variable, v.DefaultValue); err != nil {
			return err
		}
	}
	if err := l.literals(oc.Operation.SelectionSet); err != nil {
		return err
	}
	for _, f := range oc.Doc.Fragments {
		if err := l.literals(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

// variables checks the variables of a request, as decoded from JSON, against the operation's
// definitions of them (parsed, perhaps not yet validated: a type the schema does not have is left
// to validation).
func (l inputLimits) variables(op *ast.OperationDefinition, vars map[string]any) *gqlerror.Error {
	for _, v := range op.VariableDefinitions {
		if v.Type == nil {
			continue
		}
		val, ok := vars[v.Variable]
		if !ok {
			if v.Type.NonNull && v.DefaultValue == nil {
				return inputError(v.Variable, "variable $%s must be given: it is required", v.Variable)
			}
			continue
		}
		if err := l.variable(v.Variable, "$"+v.Variable, v.Type, val); err != nil {
			return err
		}
	}
	return nil
}

// inputError is a BAD_USER_INPUT error naming the field at fault.
func inputError(field, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": CodeBadUserInput, "field": field}
	return err
}

// variable checks a variable's value, or a part of it, against its type. field is its path from the
// variable's name ("input.names.1"), shown the path as a client writes it ("$input.names[1]").
func (l inputLimits) variable(field, shown string, t *ast.Type, v any) *gqlerror.Error {
	if v == nil {
		if t.NonNull {
			return inputError(field, "variable %s must not be null", shown)
		}
		return nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return l.variable(field, shown, t.Elem, v) // one value for a list is a list of one
		}
		for i, item := range list {
			if err := l.variable(field+"."+strconv.Itoa(i), fmt.Sprintf("%s[%d]", shown, i), t.Elem, item); err != nil {
				return err
			}
		}
		return nil
	}
	def := l.schema.Types[t.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.InputObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return inputError(field, "variable %s must be an object (%s), not %s", shown, def.Name, jsonKind(v))
		}
		for name := range obj {
			if def.Fields.ForName(name) == nil {
				return inputError(field+"."+name, "variable %s has no field %s: %s does not take it", shown, name, def.Name)
			}
		}
		for _, fd := range def.Fields {
			fv, ok := obj[fd.Name]
			if !ok {
				if fd.Type.NonNull && fd.DefaultValue == nil {
					return inputError(field+"."+fd.Name, "variable %s.%s must be given: it is required", shown, fd.Name)
				}
				continue
			}
			if err := l.variable(field+"."+fd.Name, shown+"."+fd.Name, fd.Type, fv); err != nil {
				return err
			}
		}
		return nil
	case ast.Enum:
		if _, ok := v.(string); !ok {
			return inputError(field, "variable %s must be one of %s's values, as a string, not %s", shown, def.Name, jsonKind(v))
		}
		return nil
	case ast.Scalar:
	default:
		return nil
	}
	switch def.Name {
	case "String":
		s, ok := v.(string)
		if !ok {
			return inputError(field, "variable %s must be a string, not %s", shown, jsonKind(v))
		}
		return l.stringLength(field, "variable "+shown, s)
	case "ID":
		switch id := v.(type) {
		case string:
			return l.idLength(field, "variable "+shown, id)
		default:
			if _, ok := integral(v); !ok {
				return inputError(field, "variable %s must be an ID, a string or an integer, not %s", shown, jsonKind(v))
			}
		}
	case "Int":
		n, ok := integral(v)
		if !ok {
			return inputError(field, "variable %s must be an integer, not %s", shown, jsonKind(v))
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return inputError(field, "variable %s is %d, beyond GraphQL's Int (-2147483648 to 2147483647)", shown, n)
		}
	case "Float":
		switch f := v.(type) {
		case json.Number:
			x, err := f.Float64()
			if err != nil || math.IsInf(x, 0) {
				return inputError(field, "variable %s must be a finite number", shown)
			}
		case float64, float32, int, int32, int64:
		default:
			return inputError(field, "variable %s must be a number, not %s", shown, jsonKind(v))
		}
	case "Boolean":
		if _, ok := v.(bool); !ok {
			return inputError(field, "variable %s must be true or false, not %s", shown, jsonKind(v))
		}
	case "Date", "Time":
		// Written as text (YYYY-MM-DD; RFC 3339): the scalar parses it and says what is wrong.
		s, ok := v.(string)
		if !ok {
			return inputError(field, "variable %s must be a %s written as a string, not %s", shown, def.Name, jsonKind(v))
		}
		return l.stringLength(field, "variable "+shown, s)
	}
	return nil
}

// integral reads an integral number from a decoded JSON value.
func integral(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			// 3e9 and 3000000000.0 are integral values written as floats: the spec's Int takes
			// them; beyond int64 they are out of Int's range anyway.
			f, ferr := n.Float64()
			if ferr != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
				return 0, false
			}
			return int64(max(min(f, math.MaxInt64/2), math.MinInt64/2)), true
		}
		return i, true
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) {
			return 0, false
		}
		return int64(max(min(n, math.MaxInt64/2), math.MinInt64/2)), true
	}
	return 0, false
}

// jsonKind names the JSON kind of a decoded value, for messages (never a Go type's name).
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64, float32, int, int32, int64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a value of another kind"
}

func (l inputLimits) stringLength(field, shown, s string) *gqlerror.Error {
	if n := utf8.RuneCountInString(s); n > l.maxString {
		e := limitError("maxStringLength", l.maxString, "%s is %d characters long; the limit is %d", shown, n, l.maxString)
		e.Extensions["field"] = field
		return e
	}
	return nil
}

func (l inputLimits) idLength(field, shown, id string) *gqlerror.Error {
	if len(id) > l.maxID {
		e := limitError("maxIDLength", l.maxID, "%s is an ID %d bytes long; the limit is %d", shown, len(id), l.maxID)
		e.Extensions["field"] = field
		return e
	}
	return nil
}

// literals checks the literal arguments of a selection set and of the selections inside it (not of
// fragments spread: they are checked once, where they are defined).
func (l inputLimits) literals(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				if err := l.literal(a.Name, a.Value); err != nil {
					return err
				}
			}
			if err := l.literals(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := l.literals(s.SelectionSet); err != nil {
				return err
			}
		}
	}
	return nil
}

// literal checks a literal value (validated: its kinds match its types) at the path field.
func (l inputLimits) literal(field string, v *ast.Value) *gqlerror.Error {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case ast.ListValue, ast.ObjectValue:
		for i, c := range v.Children {
			name := c.Name
			if v.Kind == ast.ListValue {
				name = strconv.Itoa(i)
			}
			if err := l.literal(field+"."+name, c.Value); err != nil {
				return err
			}
		}
	case ast.IntValue:
		if v.ExpectedType != nil && v.ExpectedType.Name() == "Int" {
			if _, err := strconv.ParseInt(v.Raw, 10, 32); err != nil {
				return inputError(field, "argument %s is %s, beyond GraphQL's Int (-2147483648 to 2147483647)", shownPath(field), shorten(v.Raw))
			}
		}
	case ast.StringValue, ast.BlockValue:
		if v.ExpectedType != nil && v.ExpectedType.Name() == "ID" {
			return l.idLength(field, "argument "+shownPath(field), v.Raw)
		}
		return l.stringLength(field, "argument "+shownPath(field), v.Raw)
	}
	return nil
}

// shorten returns a number's text as it may be shown back: at most 20 characters.
func shorten(s string) string {
	if len(s) <= 20 {
		return s
	}
	return s[:17] + "..."
}

// shownPath writes a field path as a client reads it: "input.names.1" as input.names[1].
func shownPath(field string) string {
	parts := strings.Split(field, ".")
	var b strings.Builder
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

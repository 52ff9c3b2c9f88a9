package athar

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
)

// Inputs are what the API takes to create or change an entity: a map from field names (as the
// description spells them) to values as a GraphQL or JSON decoder gives them: strings, numbers
// (float64, int64, int or json.Number), lists ([]any) and objects (map[string]any); a date is the
// bundle's {start, end, note} object. Whether a value is acceptable is Validate's to say; decoding
// only refuses a value of the wrong form, naming its field.

// Decode returns a new entity of type t made from input. A missing or empty id is made from the
// entity's seed fields (NewIDFor). Errors: EINVALID (Problems naming the input's fields).
func Decode[T Entity](input map[string]any) (T, error) {
	var zero T
	d := Describe(zero.EntityType())
	e := d.New()
	var p Problems
	if v := plain(input["id"]); v != nil {
		id, isText := v.(string)
		if !isText {
			p.Add("id", "is a %s, want a string", jsonType(v))
		}
		SetID(e, id)
	}
	p = append(p, unknownInputs(d, input)...)
	for _, f := range d.Fields {
		if v, given := input[f.Name]; given && !f.NoInput {
			p = append(p, f.decode(e, v)...)
		}
	}
	if err := p.Err(); err != nil {
		return zero, err
	}
	if e.EntityID() == "" {
		SetID(e, NewIDFor(e))
	}
	return e.(T), nil
}

// Apply changes the fields input gives and leaves the others as they are: a field given as null
// (or, for a list, as an empty list) is cleared. The id and fixed fields cannot be changed.
// Errors: EINVALID (Problems naming the input's fields).
func Apply(e Entity, input map[string]any) error {
	d := DescriptionOf(e)
	p := unknownInputs(d, input)
	if _, given := input["id"]; given {
		p.Add("id", "an entity's id cannot change")
	}
	for _, f := range d.Fields {
		v, given := input[f.Name]
		switch {
		case !given || f.NoInput:
		case f.Fixed:
			p.Add(f.Name, "cannot be changed once the %s exists", d.Record())
		default:
			p = append(p, f.decode(e, v)...)
		}
	}
	return p.Err()
}

// unknownInputs reports the input's keys that name no field an input may set, in sorted order.
func unknownInputs(d *Description, input map[string]any) Problems {
	var p Problems
	keys := slices.Sorted(maps.Keys(input))
	for _, k := range keys {
		if f := d.Field(k); k != "id" && (f == nil || f.NoInput) {
			p.Add(k, "is not a field of %s", d.Type)
		}
	}
	return p
}

// SetID sets an entity's id (which no description lists among its fields).
func SetID(e Entity, id string) {
	reflect.ValueOf(e).Elem().FieldByName("ID").SetString(id)
}

// plain returns an input value in the plain form decode reads: a nil pointer is nil, a pointer its
// value, an enum its string, a list []any and an object map[string]any, whatever Go types the
// decoder that made it used (gqlgen gives enums and nullable scalars their own types). Locations
// and ranges are kept as they are.
func plain(v any) any {
	switch x := v.(type) {
	case nil, string, bool, float64, int64, int, json.Number, Location, Range:
		return v
	case *Location:
		if x == nil {
			return nil
		}
		return *x
	case *Range:
		if x == nil {
			return nil
		}
		return *x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = plain(item)
		}
		return out
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Pointer:
		if r.IsNil() {
			return nil
		}
		return plain(r.Elem().Interface())
	case reflect.String:
		return r.String()
	case reflect.Slice:
		out := make([]any, r.Len())
		for i := range out {
			out[i] = plain(r.Index(i).Interface())
		}
		return out
	}
	return v
}

// decode sets the field from an input value; nil clears it.
func (f *Field) decode(e Entity, v any) Problems {
	v = plain(v)
	var p Problems
	wrong := func(want string) Problems {
		p.Add(f.Name, "is a %s, want %s", jsonType(v), want)
		return p
	}
	switch f.Shape {
	case ShapeText, ShapeEnum, ShapeRef:
		if v == nil {
			f.SetText(e, "")
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return wrong("a string")
		}
		f.SetText(e, s)
	case ShapeTextList, ShapeEnumList, ShapeRefList:
		if v == nil {
			f.SetStrings(e, nil)
			return nil
		}
		list, ok := v.([]any)
		if !ok {
			if ss, isStrings := v.([]string); isStrings {
				f.SetStrings(e, ss)
				return nil
			}
			return wrong("a list of strings")
		}
		ss := make([]string, 0, len(list))
		for i, item := range list {
			s, ok := item.(string)
			if !ok {
				p.Add(indexField(f.Name, i), "is a %s, want a string", jsonType(item))
				continue
			}
			ss = append(ss, s)
		}
		f.SetStrings(e, ss)
	case ShapeDate:
		if v == nil {
			f.SetDate(e, nil)
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return wrong("an object {start, end, note}")
		}
		var parts [3]string
		for i, k := range []string{"start", "end", "note"} {
			if x, given := m[k]; given && x != nil {
				s, isText := x.(string)
				if !isText {
					p.Add(joinField(f.Name, k), "is a %s, want a string", jsonType(x))
				}
				parts[i] = s
			}
		}
		if len(p) > 0 {
			return p
		}
		d, err := ParseDate(parts[0], parts[1], parts[2])
		if err != nil {
			return problemsOf(err).Prefixed(f.Name)
		}
		f.SetDate(e, &d)
	case ShapeLocation:
		if v == nil {
			f.SetLocation(e, nil)
			return nil
		}
		if l, ok := v.(Location); ok {
			f.SetLocation(e, &l)
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return wrong("an object {latitude, longitude, precision}")
		}
		l := &Location{}
		l.Latitude = number(&p, joinField(f.Name, "latitude"), m["latitude"])
		l.Longitude = number(&p, joinField(f.Name, "longitude"), m["longitude"])
		if s, ok := m["precision"].(string); ok {
			l.Precision = LocationPrecision(s)
		}
		f.SetLocation(e, l)
	case ShapeRange:
		if v == nil {
			f.SetRange(e, nil)
			return nil
		}
		if r, ok := v.(Range); ok {
			f.SetRange(e, &r)
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return wrong("an object {min, max}")
		}
		r := &Range{}
		for _, b := range []struct {
			key string
			dst **int
		}{{"min", &r.Min}, {"max", &r.Max}} {
			if x, given := m[b.key]; given && x != nil {
				n := number(&p, joinField(f.Name, b.key), x)
				if n != math.Trunc(n) || math.Abs(n) > math.MaxInt32 {
					p.Add(joinField(f.Name, b.key), "%v is not a whole number", n)
					continue
				}
				*b.dst = ptr(int(n))
			}
		}
		f.SetRange(e, r)
	case ShapeRetraction:
		return wrong("nothing: a retraction has its own mutation")
	}
	return p
}

// number reads a JSON or GraphQL number.
func number(p *Problems, field string, v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case float32:
		return float64(n)
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case int32:
		return float64(n)
	case json.Number:
		f, err := n.Float64()
		if err == nil {
			return f
		}
	case nil:
		p.Add(field, "is required")
		return 0
	}
	p.Add(field, "is a %s, want a number", jsonType(v))
	return 0
}

// jsonType names the JSON type of a decoded value, for messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, float32, int, int64, int32, json.Number:
		return "number"
	case []any, []string:
		return "list"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// problemsOf returns err as Problems.
func problemsOf(err error) Problems {
	var ps Problems
	var e *Error
	switch {
	case asErr(err, &ps):
		return ps
	case asErr(err, &e):
		return Problems{e}
	}
	return Problems{Invalid("", "%v", err)}
}

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
		if x == nil {
			return nil // gqlgen gives an input object given as null as a nil map
		}
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
	if v == nil {
		f.value(e).SetZero()
		return nil
	}
	var p Problems
	switch f.Shape {
	case ShapeText, ShapeEnum, ShapeRef:
		if s, ok := v.(string); ok {
			f.SetText(e, s)
			return nil
		}
		p.Add(f.Name, "is a %s, want a string", jsonType(v))
	case ShapeTextList, ShapeEnumList, ShapeRefList:
		ss, problems := decodeStrings(f.Name, v)
		f.SetStrings(e, ss)
		p = problems
	case ShapeDate:
		var d Date
		if d, p = decodeDate(f.Name, v); len(p) == 0 {
			f.SetDate(e, &d)
		}
	case ShapeLocation:
		var l Location
		if l, p = decodeLocation(f.Name, v); len(p) == 0 {
			f.SetLocation(e, &l)
		}
	case ShapeRange:
		var r Range
		if r, p = decodeRange(f.Name, v); len(p) == 0 {
			f.SetRange(e, &r)
		}
	case ShapeRetraction:
		p.Add(f.Name, "cannot be set here: a retraction has its own mutation")
	}
	return p
}

// decodeStrings reads a list of strings.
func decodeStrings(field string, v any) ([]string, Problems) {
	var p Problems
	list, ok := v.([]any)
	if !ok {
		p.Add(field, "is a %s, want a list of strings", jsonType(v))
		return nil, p
	}
	ss := make([]string, 0, len(list))
	for i, item := range list {
		if s, ok := item.(string); ok {
			ss = append(ss, s)
		} else {
			p.Add(indexField(field, i), "is a %s, want a string", jsonType(item))
		}
	}
	return ss, p
}

// object reads an input object, naming its form in the problem when v is not one.
func object(field, form string, v any) (map[string]any, Problems) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Problems{Invalid(field, "is a %s, want an object %s", jsonType(v), form)}
	}
	return m, nil
}

// decodeDate reads a date in the bundle form {start, end, note} (ParseDate).
func decodeDate(field string, v any) (Date, Problems) {
	m, p := object(field, "{start, end, note}", v)
	if p != nil {
		return Date{}, p
	}
	var parts [3]string
	for i, k := range []string{"start", "end", "note"} {
		if x, given := m[k]; given && x != nil {
			s, isText := x.(string)
			if !isText {
				p.Add(joinField(field, k), "is a %s, want a string", jsonType(x))
			}
			parts[i] = s
		}
	}
	if len(p) > 0 {
		return Date{}, p
	}
	d, err := ParseDate(parts[0], parts[1], parts[2])
	if err != nil {
		return Date{}, problemsOf(err).Prefixed(field)
	}
	return d, nil
}

// decodeLocation reads a location {latitude, longitude, precision}; its range is Validate's.
func decodeLocation(field string, v any) (Location, Problems) {
	if l, ok := v.(Location); ok {
		return l, nil
	}
	m, p := object(field, "{latitude, longitude, precision}", v)
	if p != nil {
		return Location{}, p
	}
	l := Location{Latitude: number(&p, joinField(field, "latitude"), m["latitude"]),
		Longitude: number(&p, joinField(field, "longitude"), m["longitude"])}
	switch x := m["precision"].(type) {
	case string:
		l.Precision = LocationPrecision(x)
	case nil:
	default:
		p.Add(joinField(field, "precision"), "is a %s, want a string", jsonType(x))
	}
	return l, p
}

// decodeRange reads a count range {low, best, high} of whole numbers; whether it makes sense is Validate's.
func decodeRange(field string, v any) (Range, Problems) {
	if r, ok := v.(Range); ok {
		return r, nil
	}
	m, p := object(field, "{low, best, high}", v)
	if p != nil {
		return Range{}, p
	}
	var r Range
	for _, b := range []struct {
		key string
		dst **int
	}{{"low", &r.Low}, {"best", &r.Best}, {"high", &r.High}} {
		key, dst := b.key, b.dst
		x, given := m[key]
		if !given || x == nil {
			continue
		}
		n := number(&p, joinField(field, key), x)
		if n != math.Trunc(n) || math.Abs(n) > math.MaxInt32 {
			p.Add(joinField(field, key), "%v is not a whole number", n)
			continue
		}
		*dst = ptr(int(n))
	}
	return r, p
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

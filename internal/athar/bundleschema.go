package athar

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// fieldPatterns are the forms some text fields must have, as regular expressions (the rules that
// check them in full are the types' own, in entities.go). The bundle's JSON Schema states them.
var fieldPatterns = map[string]string{
	"Source.url":      "^https?://",
	"Source.language": languagePattern.String(),
}

// datePattern is the form of the start and end of a date in the bundle form (ParseDate).
const datePattern = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

// BundleJSONSchema returns the JSON Schema (draft 2020-12) of the bundle format's JSON form, made
// from the entities' descriptions. docs/bundle.schema.json is this output (`go generate ./...`
// writes it; a test in docs/ keeps it so).
func BundleJSONSchema() ([]byte, error) {
	lists := orderedObject{{"format", obj("const", BundleFormat)}, {"version", obj("const", BundleVersion)}}
	defs := orderedObject{
		{"date", orderedObject{{"type", "object"}, {"additionalProperties", false}, {"required", []string{"start"}},
			{"properties", orderedObject{
				{"start", obj("type", "string", "pattern", datePattern, "description", "YYYY, YYYY-MM or YYYY-MM-DD; the form is the precision")},
				{"end", obj("type", "string", "pattern", datePattern, "description", "with an end the precision is RANGE")},
				{"note", obj("type", "string", "description", "how the date was derived")},
			}}}},
		{"location", orderedObject{{"type", "object"}, {"additionalProperties", false},
			{"required", []string{"latitude", "longitude", "precision"}},
			{"properties", orderedObject{
				{"latitude", obj("type", "number", "minimum", -90, "maximum", 90)},
				{"longitude", obj("type", "number", "minimum", -180, "maximum", 180)},
				{"precision", obj("type", "string", "enum", names(LocationPrecisions))},
			}}}},
		{"range", orderedObject{{"type", "object"}, {"additionalProperties", false}, {"minProperties", 1},
			{"properties", orderedObject{
				{"low", obj("type", []string{"integer", "null"}, "minimum", 0, "maximum", MaxCount)},
				{"best", obj("type", []string{"integer", "null"}, "minimum", 0, "maximum", MaxCount)},
				{"high", obj("type", []string{"integer", "null"}, "minimum", 0, "maximum", MaxCount)},
			}}}},
	}
	for _, d := range descriptions {
		lists = append(lists, member{d.Plural, obj("type", "array", "items", obj("$ref", "#/$defs/"+d.Record()))})
		required := []string{"id"}
		props := orderedObject{{"id", idSchema(d.Type)}}
		for _, f := range d.Fields {
			if f.Required {
				required = append(required, f.Name)
			}
			props = append(props, member{f.Name, fieldSchema(d, f)})
		}
		defs = append(defs, member{d.Record(), orderedObject{{"type", "object"}, {"additionalProperties", false},
			{"required", required}, {"properties", props}}})
	}
	schema := orderedObject{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", fmt.Sprintf("https://athar.invalid/schemas/bundle-v%d.json", BundleVersion)},
		{"title", fmt.Sprintf("Athar bundle, version %d (JSON form)", BundleVersion)},
		{"description", "What `athar import` reads and `athar export` writes; see docs/bundle-format.md. In the NDJSON form " +
			"the first line is {format, version} and each further line is one record of $defs with a \"record\" field naming " +
			"its type. Checks that span records (unique ids, references that resolve, no place part of itself) are made by " +
			"athar import, not by this schema."},
		{"type", "object"},
		{"additionalProperties", false},
		{"required", []string{"format", "version"}},
		{"properties", lists},
		{"$defs", defs},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(schema); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func idSchema(t EntityType) orderedObject {
	return obj("type", "string", "pattern", "^"+t.Record()+":[a-z0-9][a-z0-9-]{0,199}$")
}

func fieldSchema(d *Description, f *Field) orderedObject {
	switch f.Shape {
	case ShapeText:
		s := obj("type", "string")
		if f.Required {
			s = append(s, member{"minLength", 1})
		}
		if p, ok := fieldPatterns[string(d.Type)+"."+f.Name]; ok {
			s = append(s, member{"pattern", p})
		}
		return s
	case ShapeTextList:
		return obj("type", "array", "items", obj("type", "string", "minLength", 1))
	case ShapeEnum:
		return obj("type", "string", "enum", f.Enum)
	case ShapeEnumList:
		return obj("type", "array", "items", obj("type", "string", "enum", f.Enum))
	case ShapeRef:
		return idSchema(f.Target)
	case ShapeRefList:
		return obj("type", "array", "items", idSchema(f.Target))
	case ShapeDate:
		return obj("$ref", "#/$defs/date")
	case ShapeLocation:
		return obj("$ref", "#/$defs/location")
	case ShapeRange:
		return obj("$ref", "#/$defs/range")
	case ShapeRetraction:
		return obj("type", "object", "additionalProperties", false, "required", []string{"reason"},
			"properties", obj("reason", obj("type", "string", "minLength", 1)))
	}
	panic(fmt.Sprintf("athar: no JSON Schema for the shape of %s.%s", d.Type, f.Name))
}

// obj makes an ordered JSON object of key, value pairs.
func obj(kv ...any) orderedObject {
	o := make(orderedObject, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		o = append(o, member{kv[i].(string), kv[i+1]})
	}
	return o
}

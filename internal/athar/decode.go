package athar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// This file reads a bundle's records field by field, so that one field's problem never hides
// another's: each key of a record is matched exactly (as the format spells it) to a field of the
// entity's struct by its json name, and each value decoded on its own, down into locations, dates,
// counts and retractions. Every problem is reported at its real path ("attacks[3].location.latitude",
// "line 17 (attack:x).date.foo"): a value of the wrong JSON type, an unknown key, a key given twice
// (encoding/json would silently keep the last). A field whose value could not be read is left unset
// and remembered, so that the record's checks (Validate) do not report it a second time.

// jsonMember is one key and its value, in the order of its object.
type jsonMember struct {
	key   string
	value json.RawMessage
}

// errNotObject is returned by readObject for a JSON value that is not an object.
var errNotObject = errors.New("not an object")

// readObject reads the members of the JSON object at the start of data, in order, and returns the
// offset just past it. On a syntax error it returns the members read before it and the error; for a
// value that is not an object, errNotObject.
func readObject(data []byte) (members []jsonMember, end int, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, 0, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, 0, errNotObject
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return members, 0, err
		}
		key, ok := tok.(string)
		if !ok {
			return members, 0, &json.SyntaxError{Offset: dec.InputOffset()}
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return members, 0, err
		}
		members = append(members, jsonMember{key, value})
	}
	if _, err := dec.Token(); err != nil {
		return members, 0, err
	}
	return members, int(dec.InputOffset()), nil
}

// splitObject returns the members of data, a JSON object that json.Valid accepts, without decoding
// their values: a single pass, where encoding/json's Decoder would scan each value twice and make
// an error value at the end of each. It returns ok false on anything else, and never panics.
func splitObject(data []byte) (members []jsonMember, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil, true
	}
	members = make([]jsonMember, 0, 16)
	for i < len(data) {
		end := endOfString(data, i)
		if end < 0 {
			return nil, false
		}
		key, ok := jsonString(data[i:end])
		if !ok {
			return nil, false
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, false
		}
		i = skipSpace(data, i+1)
		end = endOfValue(data, i)
		if end < 0 {
			return nil, false
		}
		members = append(members, jsonMember{key, data[i:end]})
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case '}':
			return members, true
		case ',':
			i = skipSpace(data, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

// splitArray returns the items of data, a JSON array that json.Valid accepts, as splitObject does.
func splitArray(data []byte) (items []json.RawMessage, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return nil, true
	}
	for i < len(data) {
		end := endOfValue(data, i)
		if end < 0 {
			return nil, false
		}
		items = append(items, data[i:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case ']':
			return items, true
		case ',':
			i = skipSpace(data, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// endOfString returns the offset just past the JSON string starting at i, or -1.
func endOfString(data []byte, i int) int {
	if i >= len(data) || data[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// endOfValue returns the offset just past the JSON value starting at i, or -1.
func endOfValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return endOfString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end := endOfString(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(data) && !bytes.ContainsRune([]byte(",}] \t\r\n"), rune(data[j])) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// jsonString decodes a JSON string: directly when it holds no escape and is valid UTF-8, as almost
// every string does, and through encoding/json (which also replaces invalid UTF-8) otherwise.
func jsonString(raw []byte) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		inner := raw[1 : len(raw)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner), true
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonKindOf names the JSON type of a valid JSON value, for messages: "string", "number", "object",
// "list", "boolean" or "null".
func jsonKindOf(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "list"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// syntaxMessage returns a JSON syntax error's message without the decoder's words, and the offset
// it is at (-1 when it has none: the input ended inside a value).
func syntaxMessage(err error) (string, int64) {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return se.Error(), se.Offset
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the text ends inside a JSON value (is it cut short?)", -1
	}
	return jsonErrorMessage(err), -1
}

// The nested objects of a record, and how messages name them.
type (
	dateJSONIn struct {
		Start string `json:"start"`
		End   string `json:"end"`
		Note  string `json:"note"`
	}
	rangeJSONIn struct {
		Low  *int `json:"low"`
		Best *int `json:"best"`
		High *int `json:"high"`
		Min  *int `json:"min"`
		Max  *int `json:"max"`
	}
)

var objectNames = map[reflect.Type]string{
	reflect.TypeFor[dateJSONIn]():  "a date",
	reflect.TypeFor[rangeJSONIn](): "a count",
	reflect.TypeFor[Location]():    "a location",
	reflect.TypeFor[Retraction]():  "a retraction",
}

// jsonFields maps the json names of a struct's fields to their indexes, and lists the names in
// order, for messages. Embedded structs (the timestamps) and fields named "-" are not fields of the
// format.
type jsonFields struct {
	index map[string][]int
	names []string
}

var fieldCache sync.Map // reflect.Type → *jsonFields

func fieldsOf(t reflect.Type) *jsonFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*jsonFields)
	}
	f := &jsonFields{index: map[string][]int{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous || !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		f.index[name] = sf.Index
		f.names = append(f.names, name)
	}
	fieldCache.Store(t, f)
	return f
}

// valuePath is where a value is: a key of the object at base, or an entry of a list. It is made into
// text ("attacks[3].location.latitude") only for a problem, so that reading a clean record builds
// no path at all.
type valuePath struct {
	base, key string
	index     int // the entry of the list at base.key; -1 for the key itself
}

func (p valuePath) String() string {
	s := joinField(p.base, p.key)
	if p.index >= 0 {
		s = indexField(s, p.index)
	}
	return s
}

// entry returns the path of entry i of the list at p.
func (p valuePath) entry(i int) valuePath { return valuePath{base: p.base, key: p.key, index: i} }

// duplicateKey reports whether members[i]'s key is also the key of an earlier member: a scan, which
// for the dozen keys of a record costs less than a map, and a map past that.
func duplicateKey(members []jsonMember, i int, seen map[string]bool) bool {
	if seen != nil {
		dup := seen[members[i].key]
		seen[members[i].key] = true
		return dup
	}
	for _, m := range members[:i] {
		if m.key == members[i].key {
			return true
		}
	}
	return false
}

// keySet returns the map duplicateKey uses for objects of many keys, nil for the others.
func keySet(members []jsonMember) map[string]bool {
	if len(members) <= 32 {
		return nil
	}
	return make(map[string]bool, len(members))
}

// decodeRecord sets the fields of the entity e from the members of its record, reporting every
// problem under where. Keys in extra (NDJSON's "record") are allowed but not fields. It returns the
// fields whose values could not be read ("location", "id"), which are left unset.
func decodeRecord(r *Report, where string, members []jsonMember, e Entity, extra string) (unread []string) {
	d := DescriptionOf(e)
	v := reflect.ValueOf(e).Elem()
	fields := fieldsOf(v.Type())
	seen := keySet(members)
	for i, m := range members {
		path := valuePath{base: where, key: m.key, index: -1}
		if duplicateKey(members, i, seen) {
			r.Addf(path.String(), "is given twice: a record gives each field once")
			continue
		}
		if m.key == extra {
			continue
		}
		index, ok := fields.index[m.key]
		if !ok {
			r.Addf(path.String(), "is not a field of %s (see docs/bundle-format.md)", withArticle(d.Record()))
			continue
		}
		if !decodeValue(r, path, m.value, v.FieldByIndex(index)) {
			unread = append(unread, m.key)
		}
	}
	return unread
}

// decodeValue sets v from the JSON value raw, reporting its problems at path. It returns false when
// the value could not be read, and leaves v unset then. A null leaves v as it is, as encoding/json
// does: a field given as null is a field not given.
func decodeValue(r *Report, path valuePath, raw json.RawMessage, v reflect.Value) bool {
	kind := jsonKindOf(raw)
	if kind == "null" {
		return true
	}
	switch t := v.Type(); {
	case t == reflect.TypeFor[Date]():
		return decodeDateValue(r, path, raw, v.Addr().Interface().(*Date))
	case t == reflect.TypeFor[*Date]():
		d := &Date{}
		if !decodeDateValue(r, path, raw, d) {
			return false
		}
		v.Set(reflect.ValueOf(d))
		return true
	case t == reflect.TypeFor[*Range]():
		var in rangeJSONIn
		if !decodeObject(r, path, raw, reflect.ValueOf(&in).Elem()) {
			return false
		}
		if (in.Min != nil || in.Max != nil) && (in.Low != nil || in.High != nil || in.Best != nil) {
			r.Addf(path.String(), "give low, best and high, or version 1's min and max, not both")
			return false
		}
		rg := &Range{Low: in.Low, Best: in.Best, High: in.High}
		if in.Min != nil || in.Max != nil {
			rg = &Range{Low: in.Min, High: in.Max}
		}
		v.Set(reflect.ValueOf(rg))
		return true
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		p := reflect.New(t.Elem())
		if !decodeObject(r, path, raw, p.Elem()) {
			return false
		}
		v.Set(p)
		return true
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		if !decodeValue(r, path, raw, p.Elem()) {
			return false
		}
		v.Set(p)
		return true
	case t.Kind() == reflect.Slice:
		if kind != "list" {
			r.Addf(path.String(), "is a JSON %s, want a list", kind)
			return false
		}
		items, ok := splitArray(raw)
		if !ok {
			r.Addf(path.String(), "is not a JSON list")
			return false
		}
		// An entry that cannot be read is reported and left empty, which Normalize drops: the
		// others are kept, so that the references among them are still checked.
		list := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			if jsonKindOf(item) == "null" {
				r.Addf(path.entry(i).String(), "is null, want a string")
				continue
			}
			decodeValue(r, path.entry(i), item, list.Index(i))
		}
		v.Set(list)
		return true
	case t.Kind() == reflect.String:
		if kind != "string" {
			r.Addf(path.String(), "is a JSON %s, want a string", kind)
			return false
		}
		s, ok := jsonString(bytes.TrimSpace(raw))
		if !ok {
			r.Addf(path.String(), "is not a JSON string")
			return false
		}
		v.SetString(s)
		return true
	case t.Kind() == reflect.Float64:
		if kind != "number" {
			r.Addf(path.String(), "is a JSON %s, want a number", kind)
			return false
		}
		f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		if err != nil {
			r.Addf(path.String(), "is the number %s, too large to read", clip(string(raw), maxQuoted))
			return false
		}
		v.SetFloat(f)
		return true
	case t.Kind() == reflect.Int:
		if kind != "number" {
			r.Addf(path.String(), "is a JSON %s, want a whole number", kind)
			return false
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
		if err != nil {
			r.Addf(path.String(), "is the number %s, want a whole number", clip(string(raw), maxQuoted))
			return false
		}
		v.SetInt(n)
		return true
	case t.Kind() == reflect.Struct:
		return decodeObject(r, path, raw, v)
	}
	// Every field type of an entity is one of the above; a new one is caught by the tests that fill
	// every field (TestEveryField_RoundTrips).
	r.Addf(path.String(), "cannot be read from a bundle")
	return false
}

// decodeObject sets the struct v from the JSON object raw, field by field. Unknown keys and keys
// given twice are reported but do not stop it; it returns false when a value could not be read.
func decodeObject(r *Report, path valuePath, raw json.RawMessage, v reflect.Value) bool {
	fields := fieldsOf(v.Type())
	name := objectNames[v.Type()]
	if kind := jsonKindOf(raw); kind != "object" {
		r.Addf(path.String(), "is a JSON %s, want %s {%s}", kind, name, strings.Join(fields.names, ", "))
		return false
	}
	members, ok := splitObject(raw)
	if !ok {
		r.Addf(path.String(), "is not a JSON object")
		return false
	}
	base := path.String()
	seen := keySet(members)
	for i, m := range members {
		at := valuePath{base: base, key: m.key, index: -1}
		index, known := fields.index[m.key]
		switch {
		case duplicateKey(members, i, seen):
			r.Addf(at.String(), "is given twice: %s gives each field once", name)
		case !known:
			r.Addf(at.String(), "is not a field of %s (%s)", name, strings.Join(fields.names, ", "))
		default:
			ok = decodeValue(r, at, m.value, v.FieldByIndex(index)) && ok
		}
	}
	return ok
}

// decodeDateValue reads a date {start, end, note}. A date that reads but does not exist
// ("2014-02-30") is kept with its error for Validate to report under the field, as UnmarshalJSON
// keeps it.
func decodeDateValue(r *Report, path valuePath, raw json.RawMessage, d *Date) bool {
	var in dateJSONIn
	if !decodeObject(r, path, raw, reflect.ValueOf(&in).Elem()) {
		return false
	}
	parsed, err := ParseDate(in.Start, in.End, in.Note)
	if err != nil {
		*d = Date{Precision: PrecisionDay, err: err}
		return true
	}
	*d = parsed
	return true
}

// lineAndColumn returns the line and column (both from 1, the column in bytes) of offset in data.
func lineAndColumn(data []byte, offset int64) (line, column int) {
	if offset < 0 || offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	column = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, column
}

// where names a line, for problems: "line 17".
func lineWhere(line int) string { return fmt.Sprintf("line %d", line) }

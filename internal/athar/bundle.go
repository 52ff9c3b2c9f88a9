package athar

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Bundle format identifiers (docs/bundle-format.md). Version 2 gives counts as low, best and high;
// version 1's min and max are still read.
const (
	BundleFormat  = "athar-bundle"
	BundleVersion = 2
)

// Bundle is a set of records in the bundle format: what `athar import` reads and `athar export`
// writes.
type Bundle struct {
	Records []Record
}

// Record is one entity of a bundle and where it stands in its file ("places[3]", "line 17"), for
// error messages.
type Record struct {
	Entity Entity
	Where  string
}

type bundleHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// describeRecord returns the description of the type whose record name is name ("facility").
func describeRecord(name string) *Description {
	for _, d := range descriptions {
		if d.Record() == name {
			return d
		}
	}
	return nil
}

// describeList returns the description of the type whose bundle list is key ("facilities").
func describeList(key string) *Description {
	for _, d := range descriptions {
		if d.Plural == key {
			return d
		}
	}
	return nil
}

// recordNames lists the record names, for messages.
func recordNames() string {
	out := make([]string, len(descriptions))
	for i, d := range descriptions {
		out[i] = d.Record()
	}
	return strings.Join(out, ", ")
}

// ReadBundle reads a bundle in JSON or NDJSON form (told apart by whether the input holds one JSON
// value or several). Records are normalized. Every problem of form is reported, each with where it
// stands, as Problems; the records are then checked with Validate.
func ReadBundle(r io.Reader) (*Bundle, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return nil, Problems{Invalid("", "not a JSON bundle: %v", err)}
	}
	if dec.More() {
		return readNDJSON(data)
	}
	var p Problems
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(first, &raw); err != nil {
		return nil, Problems{Invalid("", "not a JSON bundle: %s", jsonErrorMessage(err))}
	}
	var h bundleHeader
	for _, key := range []string{"format", "version"} {
		if v, ok := raw[key]; ok {
			if err := json.Unmarshal(v, map[string]any{"format": &h.Format, "version": &h.Version}[key]); err != nil {
				return nil, Problems{Invalid(key, "%s", jsonErrorMessage(err))}
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		if key != "format" && key != "version" && describeList(key) == nil {
			where := key
			if where == "" {
				where = `""` // the empty name, which would otherwise name no place
			}
			return nil, Problems{Invalid(where, "is not a list of this format (see docs/bundle-format.md)")}
		}
	}
	checkHeader(&p, "", h)
	b := &Bundle{}
	for _, d := range descriptions {
		var items []json.RawMessage
		if v, ok := raw[d.Plural]; ok {
			if err := json.Unmarshal(v, &items); err != nil {
				return nil, Problems{Invalid(d.Plural, "%s", jsonErrorMessage(err))}
			}
		}
		for i, item := range items {
			b.addRecord(&p, d, item, indexField(d.Plural, i))
		}
	}
	if len(p) > 0 {
		return nil, p
	}
	b.normalize()
	return b, nil
}

// addRecord decodes one record strictly, so that a misspelt field is reported rather than dropped.
func (b *Bundle) addRecord(p *Problems, d *Description, data []byte, where string) {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		p.Add(where, "is null")
		return
	}
	e := d.New()
	if err := strictDecode(data, e); err != nil {
		p.Add(joinField(where, jsonErrorPath(err)), "%s", jsonErrorMessage(err))
		return
	}
	b.Records = append(b.Records, Record{Entity: e, Where: where})
}

func readNDJSON(data []byte) (*Bundle, error) {
	var p Problems
	b := &Bundle{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line, header := 0, false
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		where := fmt.Sprintf("line %d", line)
		if !header {
			var h bundleHeader
			if err := strictDecode(text, &h); err != nil {
				p.Add(where, "the first line must be the header {\"format\":%q,\"version\":%d}: %s", BundleFormat, BundleVersion, jsonErrorMessage(err))
				return nil, p
			}
			checkHeader(&p, where, h)
			header = true
			continue
		}
		var probe struct {
			Type string `json:"record"`
		}
		if err := json.Unmarshal(text, &probe); err != nil {
			p.Add(where, "%s", jsonErrorMessage(err))
			continue
		}
		d := describeRecord(probe.Type)
		if d == nil {
			p.Add(where+".record", "%q is not a record type (%s)", probe.Type, recordNames())
			continue
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(text, &fields)
		delete(fields, "record")
		rest, _ := json.Marshal(fields)
		b.addRecord(&p, d, rest, where)
	}
	if err := sc.Err(); err != nil {
		p.Add(fmt.Sprintf("line %d", line+1), "%v", err)
	}
	if !header {
		p.Add("line 1", "the file is empty: want the header {\"format\":%q,\"version\":%d}", BundleFormat, BundleVersion)
	}
	if len(p) > 0 {
		return nil, p
	}
	b.normalize()
	return b, nil
}

func checkHeader(p *Problems, where string, h bundleHeader) {
	if h.Format != BundleFormat {
		p.Add(joinField(where, "format"), "is %q, want %q", h.Format, BundleFormat)
	}
	if h.Version != 1 && h.Version != BundleVersion {
		p.Add(joinField(where, "version"), "is %d; this Athar reads versions 1 to %d", h.Version, BundleVersion)
	}
}

func (b *Bundle) normalize() {
	for _, r := range b.Records {
		Normalize(r.Entity)
	}
	b.Sort()
}

// Entities returns the bundle's entities, in its order.
func (b *Bundle) Entities() []Entity {
	out := make([]Entity, len(b.Records))
	for i, r := range b.Records {
		out[i] = r.Entity
	}
	return out
}

// Sort puts the records in type order, as an import writes them, keeping the order within a type.
func (b *Bundle) Sort() {
	slices.SortStableFunc(b.Records, func(x, y Record) int {
		return slices.Index(EntityTypes, x.Entity.EntityType()) - slices.Index(EntityTypes, y.Entity.EntityType())
	})
}

// Validate checks every record and the references between them: ids are unique, each reference
// names a record of the bundle or, failing that, is returned in unresolved for the caller to look
// up in the database, and no entity is (through others) part of itself. Problems name the record
// and field ("attacks[2].facilityIds[0]").
func (b *Bundle) Validate() (problems Problems, unresolved []Ref) {
	ids := map[string]string{}
	for _, r := range b.Records {
		id := r.Entity.EntityID()
		if prev, dup := ids[id]; dup {
			problems.Add(joinField(r.Where, "id"), "%q is also the id of %s", id, prev)
			continue
		}
		ids[id] = r.Where
	}
	parents := map[string]string{}
	for _, r := range b.Records {
		p, refs := Validate(r.Entity)
		problems = append(problems, p.Prefixed(r.Where)...)
		for _, ref := range refs {
			ref.Field = joinField(r.Where, ref.Field)
			if _, ok := ids[ref.ID]; !ok {
				unresolved = append(unresolved, ref)
			}
		}
		if parent := HierarchyOf(r.Entity.EntityType()); parent != nil && parent.Text(r.Entity) != "" {
			parents[r.Entity.EntityID()] = parent.Text(r.Entity)
		}
	}
	for _, r := range b.Records {
		id := r.Entity.EntityID()
		seen := map[string]bool{id: true}
		for cur := parents[id]; cur != ""; cur = parents[cur] {
			if seen[cur] {
				if cur == id {
					problems.Add(joinField(r.Where, "partOf"), "%q is, through others, part of itself", id)
				}
				break
			}
			seen[cur] = true
		}
	}
	return problems, unresolved
}

// Write writes the bundle as JSON (indented, one array per type, in type order) or as NDJSON.
func (b *Bundle) Write(w io.Writer, ndjson bool) error {
	if ndjson {
		enc := json.NewEncoder(w)
		if err := enc.Encode(bundleHeader{Format: BundleFormat, Version: BundleVersion}); err != nil {
			return err
		}
		for _, r := range b.Records {
			line, err := json.Marshal(r.Entity)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "{\"record\":%q,%s\n", r.Entity.EntityType().Record(), line[1:]); err != nil {
				return err
			}
		}
		return nil
	}
	lists := map[EntityType][]Entity{}
	for _, r := range b.Records {
		lists[r.Entity.EntityType()] = append(lists[r.Entity.EntityType()], r.Entity)
	}
	out := orderedObject{{"format", BundleFormat}, {"version", BundleVersion}}
	for _, d := range descriptions {
		if len(lists[d.Type]) > 0 {
			out = append(out, member{d.Plural, lists[d.Type]})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// orderedObject is a JSON object whose members keep their order.
type orderedObject []member

type member struct {
	key   string
	value any
}

// MarshalJSON implements json.Marshaler.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		buf.Write(k)
		buf.WriteByte(':')
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m.value); err != nil {
			return nil, err
		}
		buf.Write(bytes.TrimRight(v.Bytes(), "\n"))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func joinField(where, field string) string {
	switch {
	case where == "":
		return field
	case field == "":
		return where
	}
	return where + "." + field
}

// jsonErrorPath returns the JSON path the decoding error is at, where the decoder says.
func jsonErrorPath(err error) string {
	var te *json.UnmarshalTypeError
	if asErr(err, &te) {
		return te.Field
	}
	var pe *Error
	if asErr(err, &pe) {
		return pe.Field
	}
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		return strings.TrimSuffix(name, `"`)
	}
	return ""
}

// jsonErrorMessage returns a decoding error's message without the decoder's Go type names.
func jsonErrorMessage(err error) string {
	var te *json.UnmarshalTypeError
	if asErr(err, &te) {
		return fmt.Sprintf("is a JSON %s, want %s", te.Value, withArticle(jsonKind(te.Type.Kind().String())))
	}
	var pe *Error
	if asErr(err, &pe) {
		return pe.Message
	}
	var ps Problems
	if asErr(err, &ps) {
		return ps.Error()
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field") {
		return "is not a field of this record type (see docs/bundle-format.md)"
	}
	return strings.TrimPrefix(msg, "json: ")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice", "array":
		return "list"
	case "struct", "map", "ptr":
		return "object"
	case "int", "int64":
		return "whole number"
	case "float64":
		return "number"
	}
	return goKind
}

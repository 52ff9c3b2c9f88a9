package athar

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Bundle format identifiers (docs/bundle-format.md).
const (
	BundleFormat  = "athar-bundle"
	BundleVersion = 1
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

type bundleJSON struct {
	bundleHeader
	Places     []*Place    `json:"places,omitempty"`
	Actors     []*Actor    `json:"actors,omitempty"`
	Facilities []*Facility `json:"facilities,omitempty"`
	Sources    []*Source   `json:"sources,omitempty"`
	Events     []*Event    `json:"events,omitempty"`
	Attacks    []*Attack   `json:"attacks,omitempty"`
	Claims     []*Claim    `json:"claims,omitempty"`
}

// recordTypes maps the NDJSON "record" field of a line to a constructor of its entity.
var recordTypes = map[string]func() Entity{
	"place": func() Entity { return &Place{} }, "actor": func() Entity { return &Actor{} },
	"facility": func() Entity { return &Facility{} }, "source": func() Entity { return &Source{} },
	"event": func() Entity { return &Event{} }, "attack": func() Entity { return &Attack{} },
	"claim": func() Entity { return &Claim{} },
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
	var raw struct {
		bundleHeader
		Places     []json.RawMessage `json:"places"`
		Actors     []json.RawMessage `json:"actors"`
		Facilities []json.RawMessage `json:"facilities"`
		Sources    []json.RawMessage `json:"sources"`
		Events     []json.RawMessage `json:"events"`
		Attacks    []json.RawMessage `json:"attacks"`
		Claims     []json.RawMessage `json:"claims"`
	}
	if err := strictDecode(first, &raw); err != nil {
		return nil, Problems{Invalid(jsonErrorPath(err), "%s", jsonErrorMessage(err))}
	}
	checkHeader(&p, "", raw.bundleHeader)
	b := &Bundle{}
	for _, list := range []struct {
		key, typ string
		items    []json.RawMessage
	}{
		{"places", "place", raw.Places}, {"actors", "actor", raw.Actors},
		{"facilities", "facility", raw.Facilities}, {"sources", "source", raw.Sources},
		{"events", "event", raw.Events}, {"attacks", "attack", raw.Attacks}, {"claims", "claim", raw.Claims},
	} {
		for i, item := range list.items {
			b.addRecord(&p, list.typ, item, indexField(list.key, i))
		}
	}
	if len(p) > 0 {
		return nil, p
	}
	b.normalize()
	return b, nil
}

// addRecord decodes one record strictly, so that a misspelt field is reported rather than dropped.
func (b *Bundle) addRecord(p *Problems, typ string, data []byte, where string) {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		p.Add(where, "is null")
		return
	}
	e := recordTypes[typ]()
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
		if _, ok := recordTypes[probe.Type]; !ok {
			p.Add(where+".record", "%q is not a record type (place, actor, facility, source, event, attack, claim)", probe.Type)
			continue
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(text, &fields)
		delete(fields, "record")
		rest, _ := json.Marshal(fields)
		b.addRecord(&p, probe.Type, rest, where)
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
	if h.Version != BundleVersion {
		p.Add(joinField(where, "version"), "is %d; this Athar reads version %d", h.Version, BundleVersion)
	}
}

func (b *Bundle) normalize() {
	for _, r := range b.Records {
		r.Entity.Normalize()
	}
	// Records are kept in label order, as an import writes them.
	slices.SortStableFunc(b.Records, func(x, y Record) int {
		return slices.Index(Labels, x.Entity.Label()) - slices.Index(Labels, y.Entity.Label())
	})
}

// Validate checks every record and the references between them: ids are unique, each reference
// names a record of the bundle or, failing that, is returned in unresolved for the caller to look
// up in the database, and no place or actor is (through others) part of itself. Problems name the
// record and field ("attacks[2].facilityIds[0]").
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
		p, refs := r.Entity.Validate()
		problems = append(problems, p.Prefixed(r.Where)...)
		for _, ref := range refs {
			ref.Field = joinField(r.Where, ref.Field)
			if _, ok := ids[ref.ID]; !ok {
				unresolved = append(unresolved, ref)
			}
		}
		switch e := r.Entity.(type) {
		case *Place:
			if e.PartOf != "" {
				parents[e.ID] = e.PartOf
			}
		case *Actor:
			if e.PartOf != "" {
				parents[e.ID] = e.PartOf
			}
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

// Write writes the bundle as JSON (indented, one array per label) or as NDJSON.
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
			typ := strings.ToLower(r.Entity.Label())
			if _, err := fmt.Fprintf(w, "{\"record\":%q,%s\n", typ, line[1:]); err != nil {
				return err
			}
		}
		return nil
	}
	out := bundleJSON{bundleHeader: bundleHeader{Format: BundleFormat, Version: BundleVersion}}
	for _, r := range b.Records {
		switch e := r.Entity.(type) {
		case *Place:
			out.Places = append(out.Places, e)
		case *Actor:
			out.Actors = append(out.Actors, e)
		case *Facility:
			out.Facilities = append(out.Facilities, e)
		case *Source:
			out.Sources = append(out.Sources, e)
		case *Event:
			out.Events = append(out.Events, e)
		case *Attack:
			out.Attacks = append(out.Attacks, e)
		case *Claim:
			out.Claims = append(out.Claims, e)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
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
		return fmt.Sprintf("is a JSON %s, want a %s", te.Value, jsonKind(te.Type.Kind().String()))
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
	case "int", "int64", "float64":
		return "number"
	}
	return goKind
}

package athar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
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
	// ReadProblems are the problems found in reading the file (its form, and the values of its
	// records that could not be read), in the order of the file, up to its Max (ReadOptions).
	// Check reports them first.
	ReadProblems Report
	// unread are the ids of records that could not be read at all (a record of an unknown type, a
	// line that is not JSON), with where they stand: references to them are not reported as unknown.
	unread map[string]string
}

// Record is one entity of a bundle and where it stands in its file ("places[3]", "line 17 (place:x)"),
// for error messages.
type Record struct {
	Entity Entity
	Where  string
	// unread are the fields whose values could not be read: left unset, and not checked again.
	unread []string
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

// DefaultMaxLineBytes is the longest NDJSON line ReadBundle takes: one record, however long its
// texts, is far shorter; a longer line is reported (with its number) and skipped.
const DefaultMaxLineBytes = 64 << 20

// ReadOptions tune ReadBundleWith.
type ReadOptions struct {
	// MaxProblems is how many problems are kept (Report.Max): reading and Check together keep at
	// most this many and count the rest. 0 means DefaultMaxProblems.
	MaxProblems int
	// MaxLineBytes is the longest NDJSON line read; 0 means DefaultMaxLineBytes.
	MaxLineBytes int
}

// utf8BOM is the byte-order mark some editors and spreadsheet programs put at the start of a UTF-8
// file; the JSON standard (RFC 8259, section 8.1) lets a reader ignore it, and ReadBundle does.
var utf8BOM = []byte("\xef\xbb\xbf")

// ReadBundle reads a bundle with the default options (ReadBundleWith).
func ReadBundle(r io.Reader) (*Bundle, error) { return ReadBundleWith(r, ReadOptions{}) }

// ReadBundleWith reads a bundle in JSON or NDJSON form: NDJSON when the file starts with a header
// object that holds no list of records and is followed by a line break and more; JSON otherwise, in
// which case anything after its one object is a problem. A leading UTF-8 byte-order mark is skipped.
// Records are normalized.
//
// It returns the bundle with every record it could read, however many problems the file has. Each
// problem names where it is ("attacks[3].location.latitude", "line 17 (attack:x).date.start",
// "line 4" for a line that is not JSON) and is kept in b.ReadProblems; when there is any, the error
// lists them too (Problems, or a *Report when some were only counted), so that a caller that wants
// a clean file stops there, and one that wants every problem in one pass goes on to Check (or the
// store's Import), which reports them first. The only other error is one of reading r.
func ReadBundleWith(r io.Reader, opts ReadOptions) (*Bundle, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultMaxLineBytes
	}
	b := &Bundle{ReadProblems: Report{Max: opts.MaxProblems}}
	b.read(bytes.TrimPrefix(data, utf8BOM), opts)
	b.normalize()
	return b, b.ReadProblems.Err()
}

// readAll reads r whole; a file is read into a buffer of its size, not grown by doubling.
func readAll(r io.Reader) ([]byte, error) {
	f, ok := r.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return io.ReadAll(r)
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() <= 0 {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, info.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(r)
	return buf.Bytes(), err
}

// read reads data into b, recording its problems.
func (b *Bundle) read(data []byte, opts ReadOptions) {
	p := &b.ReadProblems
	want := fmt.Sprintf("a bundle {\"format\":%q,\"version\":%d,...}", BundleFormat, BundleVersion)
	if len(bytes.TrimSpace(data)) == 0 {
		p.Addf("", "not a JSON bundle: the file is empty; want %s", want)
		return
	}
	// One JSON value, as most bundles are, is checked without a copy; the decoder finds where the
	// first value ends in NDJSON, and where a syntax error is.
	if json.Valid(data) {
		b.readFirst(data, data, len(data), opts)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		msg, offset := syntaxMessage(err)
		// The decoder's offset is just past the byte at fault.
		line, column := lineAndColumn(data, max(offset-1, -1))
		if offset < 0 {
			p.Addf(lineWhere(line), "is not JSON: %s", msg)
		} else {
			p.Addf(lineWhere(line), "is not JSON: %s (column %d)", msg, column)
		}
		return
	}
	b.readFirst(data, first, int(dec.InputOffset()), opts)
}

// readFirst goes on reading data, whose first value, valid JSON, is first, ending at end.
func (b *Bundle) readFirst(data, first []byte, end int, opts ReadOptions) {
	p := &b.ReadProblems
	want := fmt.Sprintf("a bundle {\"format\":%q,\"version\":%d,...}", BundleFormat, BundleVersion)
	if kind := jsonKindOf(first); kind != "object" {
		p.Addf("", "not a JSON bundle: is a JSON %s, want %s", kind, want)
		return
	}
	members, _ := splitObject(first) // valid: the decoder has read it whole
	rest := data[end:]
	lists := false
	for _, m := range members {
		lists = lists || describeList(m.key) != nil
	}
	if afterValue := bytes.TrimLeft(rest, " \t\r"); !lists && len(afterValue) > 0 && afterValue[0] == '\n' && len(bytes.TrimSpace(rest)) > 0 {
		b.readNDJSON(data, end, members, opts)
		return
	}
	if trailing := bytes.TrimLeft(rest, " \t\r\n"); len(trailing) > 0 {
		line, column := lineAndColumn(data, int64(len(data)-len(trailing)))
		p.Addf(lineWhere(line), "is text after the end of the bundle (column %d): a JSON bundle is one object, and NDJSON puts its header alone on the first line", column)
	}
	b.readJSON(members)
}

// readJSON reads the members of a JSON bundle: the header and the lists of records.
func (b *Bundle) readJSON(members []jsonMember) {
	p := &b.ReadProblems
	if hr := readHeader(p, "", members, func(key string) bool { return describeList(key) != nil }); hr.ok {
		checkHeader(p, "", hr.header)
	}
	seen := map[string]bool{}
	for _, m := range members {
		d := describeList(m.key)
		if d == nil || seen[m.key] {
			continue // reported by readHeader
		}
		seen[m.key] = true
		if kind := jsonKindOf(m.value); kind != "list" {
			if kind != "null" {
				p.Addf(m.key, "is a JSON %s, want a list of %s records", kind, d.Record())
			}
			continue
		}
		items, _ := splitArray(m.value) // valid: the decoder has read it whole
		for i, item := range items {
			b.readRecord(d, item, indexField(d.Plural, i))
		}
	}
}

type headerRead struct {
	header bundleHeader
	ok     bool // format and version were read (present or not) as their types
}

// readHeader reads the format and version among members, reporting keys given twice and keys that
// are neither those nor, when allowed says so, a list of records.
func readHeader(p *Report, where string, members []jsonMember, allowed func(string) bool) headerRead {
	out := headerRead{ok: true}
	seen := map[string]bool{}
	for _, m := range members {
		path := joinField(where, m.key)
		if m.key == "" {
			path = joinField(where, `""`) // the empty name, which would otherwise name no place
		}
		switch {
		case seen[m.key]:
			p.Addf(path, "is given twice: a bundle gives each of its members once")
		case m.key == "format":
			out.ok = decodeValue(p, valuePath{base: path, index: -1}, m.value, reflect.ValueOf(&out.header.Format).Elem()) && out.ok
		case m.key == "version":
			out.ok = decodeValue(p, valuePath{base: path, index: -1}, m.value, reflect.ValueOf(&out.header.Version).Elem()) && out.ok
		case !allowed(m.key):
			if where == "" {
				p.Addf(path, "is not a list of this format (see docs/bundle-format.md)")
			} else {
				p.Addf(path, "is not a member of the header {\"format\":%q,\"version\":%d}", BundleFormat, BundleVersion)
			}
		}
		seen[m.key] = true
	}
	return out
}

// readRecord reads one record of a JSON bundle's list.
func (b *Bundle) readRecord(d *Description, raw json.RawMessage, where string) {
	switch kind := jsonKindOf(raw); kind {
	case "object":
	case "null":
		b.ReadProblems.Addf(where, "is null, want %s record", withArticle(d.Record()))
		return
	default:
		b.ReadProblems.Addf(where, "is a JSON %s, want %s record (an object)", kind, withArticle(d.Record()))
		return
	}
	members, _ := splitObject(raw) // valid: the decoder has read it whole
	b.addRecord(d, members, where, "")
}

// addRecord decodes a record from its members and adds it, however many of its fields could be read.
func (b *Bundle) addRecord(d *Description, members []jsonMember, where, extra string) {
	e := d.New()
	unread := decodeRecord(&b.ReadProblems, where, members, e, extra)
	b.Records = append(b.Records, Record{Entity: e, Where: where, unread: unread})
}

// readNDJSON reads an NDJSON bundle whose header is the first value of data, ending at end.
func (b *Bundle) readNDJSON(data []byte, end int, header []jsonMember, opts ReadOptions) {
	p := &b.ReadProblems
	line, _ := lineAndColumn(data, int64(end))
	if hr := readHeader(p, lineWhere(1), header, func(string) bool { return false }); hr.ok {
		checkHeader(p, lineWhere(1), hr.header)
	}
	rest := data[end:]
	// The rest of the header's line holds nothing but spaces (read has checked it).
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[i+1:]
	}
	for len(rest) > 0 {
		line++
		text := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			text, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(text) > opts.MaxLineBytes {
			p.Addf(lineWhere(line), "is %d bytes long; a line holds one record, at most %d bytes", len(text), opts.MaxLineBytes)
			continue
		}
		if text = bytes.TrimSpace(text); len(text) > 0 {
			b.readLine(text, line)
		}
	}
}

// readLine reads one record line of an NDJSON bundle.
func (b *Bundle) readLine(text []byte, line int) {
	p := &b.ReadProblems
	var members []jsonMember
	var end int
	var err error
	if json.Valid(text) {
		if m, ok := splitObject(text); ok {
			members, end = m, len(text)
		} else {
			err = errNotObject
		}
	} else {
		members, end, err = readObject(text)
	}
	id, hasID := idOf(members)
	where := lineWhere(line)
	if hasID {
		where = fmt.Sprintf("line %d (%s)", line, id)
	}
	switch {
	case errors.Is(err, errNotObject):
		var v json.RawMessage
		if err := json.Unmarshal(text, &v); err != nil {
			msg, offset := syntaxMessage(err)
			p.Addf(where, "is not JSON: %s%s", msg, column(offset))
		} else if kind := jsonKindOf(text); kind == "null" {
			p.Addf(where, "is null; want a record %s", recordExample)
		} else {
			p.Addf(where, "is a JSON %s; want a record %s", kind, recordExample)
		}
		return
	case err != nil:
		msg, offset := syntaxMessage(err)
		p.Addf(where, "is not JSON: %s%s", msg, column(offset))
		b.markUnread(id, hasID, where)
		return
	case len(bytes.TrimSpace(text[end:])) > 0:
		p.Addf(where, "holds more than one JSON value (column %d): a line holds one record", end+1)
		b.markUnread(id, hasID, where)
		return
	}
	var typ json.RawMessage
	for _, m := range members {
		if m.key == "record" {
			typ = m.value
			break
		}
	}
	var name string
	switch kind := jsonKindOf(typ); {
	case typ == nil || kind == "null":
		p.Addf(joinField(where, "record"), "is required: the record's type (%s)", recordNames())
	case kind != "string":
		p.Addf(joinField(where, "record"), "is a JSON %s, want a string: the record's type (%s)", kind, recordNames())
	default:
		name, _ = jsonString(bytes.TrimSpace(typ))
	}
	d := describeRecord(name)
	if d == nil {
		if name != "" {
			p.Addf(joinField(where, "record"), "%q is not a record type (%s)", name, recordNames())
		}
		b.markUnread(id, hasID, where)
		return
	}
	b.addRecord(d, members, where, "record")
}

// recordExample shows what an NDJSON line holds, for messages.
var recordExample = fmt.Sprintf(`{"record":"place","id":...} (record types: %s)`, recordNames())

// idOf returns a record's id when it is given as a well-formed id, for naming its line.
func idOf(members []jsonMember) (string, bool) {
	for _, m := range members {
		if m.key != "id" {
			continue
		}
		id, ok := jsonString(bytes.TrimSpace(m.value))
		if !ok {
			return "", false
		}
		id = strings.TrimSpace(id)
		return id, idPattern.MatchString(id)
	}
	return "", false
}

// markUnread remembers the id of a record that could not be read, so that references to it are not
// reported as unknown too.
func (b *Bundle) markUnread(id string, ok bool, where string) {
	if !ok {
		return
	}
	if b.unread == nil {
		b.unread = map[string]string{}
	}
	if _, dup := b.unread[id]; !dup {
		b.unread[id] = where
	}
}

// column says at which column of a line a syntax error is, when the decoder says.
func column(offset int64) string {
	if offset <= 0 {
		return ""
	}
	return fmt.Sprintf(" (column %d)", offset)
}

func checkHeader(p *Report, where string, h bundleHeader) {
	if h.Format != BundleFormat {
		p.Addf(joinField(where, "format"), "is %q, want %q", h.Format, BundleFormat)
	}
	if h.Version != 1 && h.Version != BundleVersion {
		p.Addf(joinField(where, "version"), "is %d; this Athar reads versions 1 to %d", h.Version, BundleVersion)
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

// Check checks the bundle whole and returns every problem up to the limit of b.ReadProblems (its
// Max; the rest are counted): first the problems found in reading it, then those of each record's
// values (Validate), in import order, each naming record and field ("attacks[2].facilityIds[0]"),
// then ids used twice and entities that are, through others, part of themselves. It also returns
// the references to ids the bundle does not hold, for the caller to look up in the database and add
// to the report (athar.UnknownRef). A field that could not be read is not checked again, and the
// id of a record that could not be read at all still counts as held.
func (b *Bundle) Check() (*Report, []Ref) {
	r := &Report{Max: b.ReadProblems.Max, More: b.ReadProblems.More}
	r.Problems = slices.Clone(b.ReadProblems.Problems)
	return r, b.check(r)
}

// Validate is Check without a limit, for callers that hold few records (tests, the seed): every
// problem found in reading and checking the bundle, and the references to ids it does not hold.
func (b *Bundle) Validate() (problems Problems, unresolved []Ref) {
	r := &Report{Max: -1}
	r.Add(b.ReadProblems.Problems...)
	unresolved = b.check(r)
	return r.Problems, unresolved
}

// UnknownRef is the problem of a reference that names no entity, in the bundle or in the database.
func UnknownRef(ref Ref) *Error {
	return Invalid(ref.Field, "no %s has the id %q", ref.Type.Record(), ref.ID)
}

func (b *Bundle) check(report *Report) (unresolved []Ref) {
	ids := make(map[string]string, len(b.Records)+len(b.unread))
	for id, where := range b.unread {
		ids[id] = where
	}
	dups := &Report{Max: report.Max}
	for _, r := range b.Records {
		if slices.Contains(r.unread, "id") {
			continue
		}
		id := r.Entity.EntityID()
		if prev, dup := ids[id]; dup {
			dups.Addf(joinField(r.Where, "id"), "%q is also the id of %s", id, prev)
			continue
		}
		ids[id] = r.Where
	}
	parents := map[string]string{}
	for _, r := range b.Records {
		p, refs := Validate(r.Entity)
		for _, e := range p.Prefixed(r.Where) {
			if !r.isUnread(e.Field) {
				report.Add(e)
			}
		}
		for _, ref := range refs {
			if r.isUnread(joinField(r.Where, ref.Field)) {
				continue
			}
			ref.Field = joinField(r.Where, ref.Field)
			if _, ok := ids[ref.ID]; !ok {
				unresolved = append(unresolved, ref)
			}
		}
		if parent := HierarchyOf(r.Entity.EntityType()); parent != nil && parent.Text(r.Entity) != "" {
			parents[r.Entity.EntityID()] = parent.Text(r.Entity)
		}
	}
	report.Add(dups.Problems...)
	report.More += dups.More
	for _, r := range b.Records {
		id := r.Entity.EntityID()
		seen := map[string]bool{id: true}
		for cur := parents[id]; cur != ""; cur = parents[cur] {
			if seen[cur] {
				if cur == id {
					report.Addf(joinField(r.Where, "partOf"), "%q is, through others, part of itself", id)
				}
				break
			}
			seen[cur] = true
		}
	}
	return unresolved
}

// isUnread reports whether the problem or reference at field (a path that starts with the record's
// where) is about a field of the record whose value could not be read.
func (r Record) isUnread(field string) bool {
	if len(r.unread) == 0 {
		return false
	}
	rest, ok := strings.CutPrefix(field, r.Where)
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, ".")
	name := rest
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		name = rest[:i]
	}
	return slices.Contains(r.unread, name)
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

func joinField(where, field string) string {
	switch {
	case where == "":
		return field
	case field == "":
		return where
	}
	return where + "." + field
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

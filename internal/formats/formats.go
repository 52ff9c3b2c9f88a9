// Package formats holds the importers of the field's event datasets into the domain's records:
// UCDP's Georeferenced Event Dataset (ucdpged.go) and ACLED's export (acled.go), each a CSV file
// turned into an *athar.Bundle that the import path (neo4jstore.Import) validates and writes.
//
// Every record a reader emits carries the dataset's id (datasetId) and its own id in the dataset
// (externalId), and has an id in the dataset's namespace (attack:ucdp-ged-214797 for
// dataset:ucdp-ged). The mapping of each format is documented column by column in
// docs/formats/ucdp-ged.md and docs/formats/acled.md.
package formats

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/athar-project/athar/internal/athar"
)

// Options are what the caller may say of a file beyond what it holds.
type Options struct {
	// Dataset is the slug of the dataset the file is a release of ("ucdp-ged", "acled",
	// "ucdp-ged-candidate"); empty gives the format's own. It names the Dataset record
	// (dataset:<slug>) and the namespace of every record's id.
	Dataset string
	// Release is the dataset's release or version ("24.1", "2024-06-30"); empty takes what the file
	// says (see each format).
	Release string
	// FileName is the file's name, for the release a format can read from it (UCDP's
	// GEDEvent_v24_1.csv is release 24.1); empty when the file has none (standard input).
	FileName string
	// MaxProblems is how many of the file's problems are listed; the rest are counted
	// (athar.Report). 0 is athar.DefaultMaxProblems, a negative number no limit.
	MaxProblems int
}

// Result is what a reader made of a file.
type Result struct {
	// Bundle holds the Dataset record first, then the records of every event, sorted in type order.
	Bundle *athar.Bundle
	// Dataset is the bundle's Dataset record.
	Dataset *athar.Dataset
	// Rows is the number of data rows read (the header not counted).
	Rows int
	// Events is the number of rows that became an attack.
	Events int
	// Skipped is the number of rows left out by the format's rule (ACLED's demonstrations and
	// strategic developments, which are not attacks); Rows = Events + Skipped.
	Skipped int
	// Inconsistent is the number of claims whose figures contradict each other as the dataset
	// gives them (a low above its high): kept and marked (athar.Claim.Inconsistent).
	Inconsistent int
}

// Format is a dataset format a file can be read in.
type Format struct {
	// Name is how `athar import --format` names it.
	Name string
	// Dataset is the slug of its dataset when Options.Dataset is empty.
	Dataset string
	// Read reads a whole file. Errors: athar.Problems (or an *athar.Report, when there were more
	// than Options.MaxProblems; or a single *athar.Error for a bad option) naming the row, the
	// record's id and the column of every problem of the file; an error of r as it is.
	Read func(r io.Reader, opts Options) (*Result, error)
}

// Formats returns the formats, in the order `athar import --help` lists them.
func Formats() []Format {
	return []Format{
		{Name: "ucdp-ged", Dataset: ucdpDataset, Read: ReadUCDPGED},
		{Name: "acled", Dataset: acledDataset, Read: ReadACLED},
	}
}

// Lookup returns the format of the given name. Errors: EINVALID naming the field "format" when
// there is none of that name.
func Lookup(name string) (Format, error) {
	var names []string
	for _, f := range Formats() {
		if f.Name == name {
			return f, nil
		}
		names = append(names, f.Name)
	}
	return Format{}, athar.Invalid("format", "%q is not a dataset format (%s)", name, strings.Join(names, ", "))
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,59}$`)

// datasetSlug returns the slug the records' ids are namespaced by: opts.Dataset, or def.
func datasetSlug(opts Options, def string) (string, error) {
	s := strings.TrimPrefix(strings.TrimSpace(opts.Dataset), "dataset:")
	if s == "" {
		return def, nil
	}
	if !slugPattern.MatchString(s) {
		return "", athar.Invalid("dataset", "%q is not a dataset slug: want up to 60 lower-case letters, digits and hyphens, such as %q", s, def)
	}
	return s, nil
}

// datasetName is the name of a dataset filed under slug: the format's own name, followed by the slug
// when it is not the format's own dataset, so that two datasets of one format are told apart.
func datasetName(name, slug, def string) string {
	if slug == def {
		return name
	}
	return name + " (" + slug + ")"
}

// reading is a file being read into a dataset's records: its table, its problems, its records
// and its result.
type reading struct {
	ds  string // the dataset's slug
	t   *table
	p   *athar.Report
	rs  *records
	res *Result
}

// startReading opens a file of a format (startReading's d describes its dataset: d.ID the
// format's default slug, the rest its Dataset record) and adds the Dataset record of the slug
// opts names: the part every format's reader shares. Errors: as datasetSlug and openTable.
func startReading(r io.Reader, opts Options, format string, required []string, d athar.Dataset) (*reading, error) {
	ds, err := datasetSlug(opts, d.ID)
	if err != nil {
		return nil, err
	}
	t, fp := openTable(r, format, required)
	if t == nil {
		return nil, fp
	}
	dataset := d
	dataset.ID, dataset.Name, dataset.Release = "dataset:"+ds, datasetName(d.Name, ds, d.ID), opts.Release
	rg := &reading{ds: ds, t: t, p: &athar.Report{Max: opts.MaxProblems}, rs: newRecords(), res: &Result{Dataset: &dataset}}
	rg.rs.add(&dataset, "dataset")
	return rg, nil
}

// table is a CSV file opened at its first data row: its columns are found by name,
// case-insensitively; its rows are read one at a time (each).
type table struct {
	cols  map[string]int
	names []string // the header's names, by position
	cr    *csv.Reader
}

// bom is the UTF-8 byte-order mark, which spreadsheet programs write at the start of a CSV file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// openTable reads a CSV file's header: a leading byte-order mark is dropped; the delimiter is the
// comma, or the semicolon or tab when the header row holds more of those (spreadsheet programs
// in many locales save CSV with semicolons). Header names are trimmed and folded to lower case;
// unknown columns are kept but never read. A file without a header row, or without one of the
// required columns (all named at once), is refused.
func openTable(r io.Reader, format string, required []string) (*table, athar.Problems) {
	br := bufio.NewReaderSize(r, 64<<10)
	if head, err := br.Peek(len(bom)); err == nil && bytes.Equal(head, bom) {
		_, _ = br.Discard(len(bom))
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileProblem(format, "the file is empty: want a CSV file with a header row naming the columns %s", strings.Join(required, ", "))
	}
	if err != nil {
		return nil, fileProblem(format, "the header row cannot be read: %s", csvMessage(err))
	}
	t := &table{cols: map[string]int{}, cr: cr}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		t.names = append(t.names, name)
		if _, dup := t.cols[name]; !dup && name != "" {
			t.cols[name] = i
		}
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fileProblem(format, "the header row lacks the required column%s %s (it has %s)",
			plural(len(missing)), strings.Join(missing, ", "), strings.Join(header, ", "))
	}
	return t, nil
}

// sniffDelimiter returns the delimiter of the header row the reader starts with.
func sniffDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	comma, semi, tab := bytes.Count(head, []byte(",")), bytes.Count(head, []byte(";")), bytes.Count(head, []byte("\t"))
	switch {
	case semi > comma && semi >= tab:
		return ';'
	case tab > comma && tab > semi:
		return '\t'
	}
	return ','
}

// each calls fn with every data row and its number (as a spreadsheet counts rows: the header is
// row 1), streaming: a release of hundreds of thousands of rows is never held whole. The row's
// fields are valid only during the call. A row that is not CSV is a problem naming it, and the
// rows after it are still read. It returns the number of data rows.
func (t *table) each(p *athar.Report, fn func(n int, rec []string)) int {
	rows := 0
	for n := 2; ; n++ {
		offset := t.cr.InputOffset()
		rec, err := t.cr.Read()
		if errors.Is(err, io.EOF) {
			return rows
		}
		rows++
		if err != nil {
			p.Addf(fmt.Sprintf("row %d", n), "cannot be read as CSV: %s", csvMessage(err))
			if t.cr.InputOffset() == offset {
				return rows // nothing more can be read
			}
			continue
		}
		t.checkText(p, n, rec)
		fn(n, rec)
	}
}

// checkText reports the fields of a row that are not UTF-8 text or hold a NUL character: read
// as they are, they would be stored with U+FFFD in the place of what the file says (an ACLED
// export saved in Windows-1256 loses its Arabic), or hide text after a NUL from other tools.
func (t *table) checkText(p *athar.Report, n int, rec []string) {
	for i, f := range rec {
		col := fmt.Sprintf("column %d", i+1)
		if i < len(t.names) && t.names[i] != "" {
			col = t.names[i]
		}
		switch {
		case !utf8.ValidString(f):
			p.Addf(fmt.Sprintf("row %d.%s", n, col), "is not UTF-8 text: save the file as UTF-8")
		case strings.IndexByte(f, 0) >= 0:
			p.Addf(fmt.Sprintf("row %d.%s", n, col), "holds a NUL character")
		}
	}
}

// fileProblem returns a single problem of a whole file, named by its format.
func fileProblem(format, msg string, args ...any) athar.Problems {
	return athar.Problems{athar.Invalid(format, msg, args...)}
}

// csvMessage returns a CSV error's message without its position, which the caller gives as a row.
func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%v (line %d, column %d)", pe.Err, pe.Line, pe.Column)
	}
	return err.Error()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// row is one data row of a table, read column by column; every problem is recorded with the row's
// number and the record's id: `row 17 (id 214797).latitude: "abc" is not a number`.
type row struct {
	t     *table
	rec   []string
	where string
	p     *athar.Report
}

// has reports whether the table has the column.
func (r *row) has(col string) bool {
	_, ok := r.t.cols[col]
	return ok
}

// raw returns a column's value exactly as the file gives it ("" when the column is missing).
func (r *row) raw(col string) string {
	i, ok := r.t.cols[col]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return r.rec[i]
}

// text returns a column's value trimmed.
func (r *row) text(col string) string { return strings.TrimSpace(r.raw(col)) }

func (r *row) problem(col, format string, args ...any) {
	r.p.Addf(r.where+"."+col, format, args...)
}

// whole reads a whole number; empty gives ok false.
func (r *row) whole(col string) (int, bool) {
	v := r.text(col)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		// Some exports write whole numbers as decimals ("5.0").
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
			r.problem(col, "%q is not a whole number", v)
			return 0, false
		}
		n = int(f)
	}
	return n, true
}

// int reads a count of people: a whole number from 0 to athar.MaxCount; empty gives nil.
func (r *row) int(col string) *int {
	n, ok := r.whole(col)
	switch {
	case !ok:
		return nil
	case n < 0:
		r.problem(col, "%d is negative: want a count", n)
		return nil
	case n > athar.MaxCount:
		r.problem(col, "%d is above %d, the largest figure Athar records", n, athar.MaxCount)
		return nil
	}
	return &n
}

// float reads a decimal number; empty gives ok false.
func (r *row) float(col string) (float64, bool) {
	v := r.text(col)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.problem(col, "%q is not a number", v)
		return 0, false
	}
	return f, true
}

// code reads one of a column's numeric codes; empty gives 0, an unknown code is a problem.
func (r *row) code(col string, known ...int) int {
	n, ok := r.whole(col)
	if !ok {
		return 0
	}
	if !slices.Contains(known, n) {
		r.problem(col, "%d is not one of the codes %s", n, joinInts(known))
		return 0
	}
	return n
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// location reads latitude and longitude, both or neither: nil when neither is given.
func (r *row) location(prec athar.LocationPrecision) *athar.Location {
	lat, okLat := r.float("latitude")
	lon, okLon := r.float("longitude")
	switch {
	case !okLat && !okLon:
		return nil
	case !okLat || !okLon:
		if r.text("latitude") == "" {
			r.problem("latitude", "is empty while longitude is given")
		} else if r.text("longitude") == "" {
			r.problem("longitude", "is empty while latitude is given")
		}
		return nil
	case lat < -90 || lat > 90:
		r.problem("latitude", "%v is outside -90..90", lat)
		return nil
	case lon < -180 || lon > 180:
		r.problem("longitude", "%v is outside -180..180", lon)
		return nil
	}
	return &athar.Location{Latitude: lat, Longitude: lon, Precision: prec}
}

// slug returns the lower-case letters and digits of s (accents dropped), runs of anything else as
// one hyphen: "Aleppo - Ansari" is "aleppo-ansari".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
			dash = false
		case unicode.Is(unicode.Mn, c):
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// idPart returns the slug of s cut to fit an id, with a short hash of s when it was cut or holds no
// Latin letters or digits at all (an Arabic name), so that two different values never share an id.
func idPart(s string, max int) string { return idPartOf(s, slug(s), max, false) }

// idPartOf is idPart of s whose slug is sl; with hash true the hash is always added.
func idPartOf(s, sl string, max int, hash bool) string {
	if !hash && sl != "" && len(sl) <= max {
		return sl
	}
	h := fnv32(s)
	if len(sl) > max-9 {
		sl = strings.Trim(sl[:max-9], "-")
	}
	if sl == "" {
		return h
	}
	return sl + "-" + h
}

// fnv32 is the 32-bit FNV-1a hash of s in hex: enough to tell apart the names of one file.
func fnv32(s string) string {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return fmt.Sprintf("%08x", h)
}

// records collects a file's records, each id once: a place or an actor named by many rows is
// emitted by the first row that names it.
type records struct {
	b    *athar.Bundle
	seen map[string]bool
	// ids are the ids already made of a place's path or an actor's key, so that the rows naming
	// them again (most rows of a release) skip making them.
	ids map[string]string
}

func newRecords() *records {
	return &records{b: &athar.Bundle{}, seen: map[string]bool{}, ids: map[string]string{}}
}

// idOf returns the id made of key by make, made once per file.
func (rs *records) idOf(key string, make func() string) string {
	id, ok := rs.ids[key]
	if !ok {
		id = make()
		rs.ids[key] = id
	}
	return id
}

// add adds e unless a record of its id was added before; it reports whether it was added.
func (rs *records) add(e athar.Entity, where string) bool {
	if rs.seen[e.EntityID()] {
		return false
	}
	rs.seen[e.EntityID()] = true
	rs.b.Records = append(rs.b.Records, athar.Record{Entity: e, Where: where})
	return true
}

// finish normalizes the records as a bundle read from a file is, and sorts them in type order.
func (rs *records) finish() *athar.Bundle {
	for _, r := range rs.b.Records {
		athar.Normalize(r.Entity)
	}
	rs.b.Sort()
	return rs.b
}

// admin suffixes the datasets write after a name ("Aleppo governorate", "Jabal Saman district"),
// with the kind of place they say; a name without one is of the kind of its level.
var adminSuffixes = []struct {
	suffix string
	kind   athar.PlaceKind
}{
	{" governorate", "GOVERNORATE"}, {" province", "GOVERNORATE"}, {" muhafazah", "GOVERNORATE"},
	{" district", "DISTRICT"}, {" mantiqah", "DISTRICT"}, {" subdistrict", "REGION"}, {" sub-district", "REGION"},
	{" nahiyah", "REGION"}, {" nahiya", "REGION"},
}

// placeName strips an administrative suffix from a name as a dataset writes it ("Aleppo
// governorate" is "Aleppo", kind GOVERNORATE); a name without one keeps def.
func placeName(name string, def athar.PlaceKind) (string, athar.PlaceKind) {
	lower := strings.ToLower(name)
	for _, s := range adminSuffixes {
		if strings.HasSuffix(lower, s.suffix) && len(name) > len(s.suffix) {
			return strings.TrimSpace(name[:len(name)-len(s.suffix)]), s.kind
		}
	}
	return name, def
}

// level is one level of a place tree as a row names it: the name as given, its kind when the name
// has no administrative suffix, and, when set, the name it is known by (the name as given is then an
// alias: ACLED's "Aleppo - Ansari" is the neighbourhood Ansari).
type level struct {
	name string
	kind athar.PlaceKind
	as   string
}

// places adds the place tree a row names, each level a Place of the dataset that is part of the one
// above, and returns the id of the deepest ("" when the row names none). A place's id and external
// id are its path of names: "Syria > Aleppo governorate" is place:ucdp-ged-syria-aleppo-governorate,
// so that two places of one name in different parents stay apart.
func places(rs *records, ds string, levels []level, where string) string {
	parent, path := "", ""
	var names []string
	for _, l := range levels {
		given := strings.TrimSpace(l.name)
		if given == "" {
			continue
		}
		if path != "" {
			path += " > "
		}
		path += given
		names = append(names, given)
		made := false
		id := rs.idOf("place\x00"+path, func() string {
			made = true
			// A level with no Latin letters or digits would vanish from the slug: the hash keeps
			// its place apart from its parent's.
			unsluggable := slices.ContainsFunc(names, func(n string) bool { return slug(n) == "" })
			return "place:" + ds + "-" + idPartOf(path, slug(path), 190-len(ds), unsluggable)
		})
		if made {
			name, kind := placeName(given, l.kind)
			var aliases []string
			if l.as != "" {
				name, kind = l.as, l.kind
				aliases = []string{given}
			}
			rs.add(&athar.Place{ID: id, Name: name, Aliases: aliases, Kind: kind, PartOf: parent, DatasetID: "dataset:" + ds, ExternalID: path}, where)
		}
		parent = id
	}
	return parent
}

// intp returns a pointer to n.
func intp(n int) *int { return &n }

func asProblems(err error, target *athar.Problems) bool { return errors.As(err, target) }

func asError(err error, target **athar.Error) bool { return errors.As(err, target) }

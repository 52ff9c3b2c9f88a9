package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// csvColumn is one column of the CSV export: its header and how a row's cell is read from an attack.
type csvColumn struct {
	name  string
	value func(f *athar.AttackFeature) string
}

// csvColumns are the columns of the CSV export, in order. Free text (titles, names) goes through
// csvSafe; ids, dates and numbers cannot start a formula.
var csvColumns = []csvColumn{
	{"id", func(f *athar.AttackFeature) string { return f.ID }},
	{"title", func(f *athar.AttackFeature) string { return csvSafe(f.Title) }},
	{"date_start", func(f *athar.AttackFeature) string { return f.Date.Start.Format(time.DateOnly) }},
	{"date_end", func(f *athar.AttackFeature) string { return f.Date.End.Format(time.DateOnly) }},
	{"date_precision", func(f *athar.AttackFeature) string { return string(f.Date.Precision) }},
	{"facilities", func(f *athar.AttackFeature) string { return csvSafe(strings.Join(f.Facilities, "; ")) }},
	{"facility_ids", func(f *athar.AttackFeature) string { return strings.Join(f.FacilityIDs, "; ") }},
	{"places", func(f *athar.AttackFeature) string { return csvSafe(strings.Join(f.Places, "; ")) }},
	{"killed_low", func(f *athar.AttackFeature) string { return csvInt(f.KilledLow) }},
	{"killed_high", func(f *athar.AttackFeature) string { return csvInt(f.KilledHigh) }},
	{"latitude", func(f *athar.AttackFeature) string {
		if f.Location == nil {
			return ""
		}
		return strconv.FormatFloat(f.Location.Latitude, 'f', -1, 64)
	}},
	{"longitude", func(f *athar.AttackFeature) string {
		if f.Location == nil {
			return ""
		}
		return strconv.FormatFloat(f.Location.Longitude, 'f', -1, 64)
	}},
	{"location_precision", func(f *athar.AttackFeature) string {
		if f.Location == nil {
			return ""
		}
		return string(f.Location.Precision)
	}},
	{"location_from", func(f *athar.AttackFeature) string { return string(f.LocationFrom) }},
	{"dataset_id", func(f *athar.AttackFeature) string { return f.DatasetID }},
	{"external_id", func(f *athar.AttackFeature) string { return csvSafe(f.ExternalID) }},
	{"withdrawn_in", func(f *athar.AttackFeature) string { return csvSafe(f.WithdrawnIn) }},
}

// utf8BOM is the byte-order mark of UTF-8 (U+FEFF), by which spreadsheet programs recognise a
// CSV file's encoding.
const utf8BOM = "\uFEFF"

// csvEncoder writes a header row and one row per attack, located or not. A CSV file has no place
// to say it was cut short; the HTTP endpoint breaks the transfer off instead (see httpapi).
type csvEncoder struct {
	w      io.Writer
	cw     *csv.Writer
	excel  bool
	header bool // written
	row    []string
}

func newCSVEncoder(w io.Writer, o Options) Encoder {
	cw := csv.NewWriter(w)
	cw.UseCRLF = o.Excel
	return &csvEncoder{w: w, cw: cw, excel: o.Excel, row: make([]string, len(csvColumns))}
}

func (e *csvEncoder) writeHeader() error {
	if e.header {
		return nil
	}
	e.header = true
	if e.excel {
		if _, err := io.WriteString(e.w, utf8BOM); err != nil {
			return err
		}
	}
	for i, c := range csvColumns {
		e.row[i] = c.name
	}
	return e.cw.Write(e.row)
}

// Write implements Encoder.
func (e *csvEncoder) Write(features []athar.AttackFeature) error {
	if err := e.writeHeader(); err != nil {
		return err
	}
	for i := range features {
		for j, c := range csvColumns {
			e.row[j] = c.value(&features[i])
		}
		if err := e.cw.Write(e.row); err != nil {
			return err
		}
	}
	e.cw.Flush()
	return e.cw.Error()
}

// Close implements Encoder.
func (e *csvEncoder) Close() error {
	return e.Write(nil)
}

func csvInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

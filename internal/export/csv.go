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
}

// encodeCSV writes a header row and one row per attack, located or not. A CSV file has no place
// to say it was cut; the HTTP endpoint says so in a header.
func encodeCSV(w io.Writer, features []athar.AttackFeature, _ bool) error {
	cw := csv.NewWriter(w)
	row := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		row[i] = c.name
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for i := range features {
		for j, c := range csvColumns {
			row[j] = c.value(&features[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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

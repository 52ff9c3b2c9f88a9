package athar

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DatePrecision says how much of a date is known.
type DatePrecision string

// The precisions of a date.
const (
	PrecisionDay   DatePrecision = "DAY"
	PrecisionMonth DatePrecision = "MONTH"
	PrecisionYear  DatePrecision = "YEAR"
	PrecisionRange DatePrecision = "RANGE"
)

// Date is when something happened, as precisely as the sources say: a day, a month, a year, or a
// range of days. Start and End are always whole days (UTC midnight), the first and the last day the
// date may be: a date known to the month runs from its first day to its last, and says so in
// Precision. It is never stored as the first of the month without saying so.
type Date struct {
	Start     time.Time
	End       time.Time
	Precision DatePrecision
	Note      string // how the date was derived, where a source does not state it outright

	err error // why the bundle form could not be read; reported by Validate with the field's name
}

// ParseDate reads a date as the bundle format and the API write it: start is YYYY, YYYY-MM or
// YYYY-MM-DD (its form gives the precision); with a non-empty end the precision is RANGE, from the
// first day of start to the last day of end, unless end's last day is start's own (2014-04-30 to
// 2014-04-30 is the DAY 2014-04-30, 2014-04 to 2014-04-30 the MONTH). Years are MinYear to
// MaxYear(). Problems name the fields "start" and "end".
func ParseDate(start, end, note string) (Date, error) {
	var p Problems
	s, sEnd, prec, err := parsePartial(strings.TrimSpace(start))
	if err != nil {
		p.Add("start", "%v", err)
	}
	d := Date{Start: s, End: sEnd, Precision: prec, Note: strings.TrimSpace(note)}
	if e := strings.TrimSpace(end); e != "" {
		_, eEnd, _, err := parsePartial(e)
		if err != nil {
			p.Add("end", "%v", err)
		} else if len(p) == 0 && eEnd.Before(s) {
			p.Add("end", "%q is before the start %q", e, start)
		}
		if !eEnd.Equal(sEnd) {
			d.End, d.Precision = eEnd, PrecisionRange
			if d.End.Equal(d.Start) {
				// A month or year whose end is its first day ("2014-04" to "2014-04-01") is that
				// day, as "2014-04-01" to "2014-04-01" is.
				d.Precision = PrecisionDay
			}
		}
	}
	if err := p.Err(); err != nil {
		return Date{}, err
	}
	return d, nil
}

// parsePartial parses YYYY, YYYY-MM or YYYY-MM-DD into the first and last day it covers.
func parsePartial(v string) (first, last time.Time, prec DatePrecision, err error) {
	layouts := []struct {
		layout string
		prec   DatePrecision
	}{{"2006-01-02", PrecisionDay}, {"2006-01", PrecisionMonth}, {"2006", PrecisionYear}}
	if v == "" {
		return first, last, "", fmt.Errorf("is required")
	}
	for _, l := range layouts {
		if len(v) != len(l.layout) {
			continue
		}
		t, perr := time.Parse(l.layout, v)
		if perr != nil {
			return first, last, "", fmt.Errorf("%q is not a date that exists (want YYYY, YYYY-MM or YYYY-MM-DD)", v)
		}
		if t.Year() < MinYear || t.Year() > MaxYear() {
			return first, last, "", fmt.Errorf("the year %d is outside %d to %d", t.Year(), MinYear, MaxYear())
		}
		switch l.prec {
		case PrecisionDay:
			return t, t, l.prec, nil
		case PrecisionMonth:
			return t, t.AddDate(0, 1, -1), l.prec, nil
		default:
			return t, t.AddDate(1, 0, -1), l.prec, nil
		}
	}
	return first, last, "", fmt.Errorf("%q is not a date (want YYYY, YYYY-MM or YYYY-MM-DD)", v)
}

// Format returns start and end as the bundle format writes them: start in the form of its precision
// and, for a RANGE, the end day.
func (d Date) Format() (start, end string) {
	switch d.Precision {
	case PrecisionYear:
		return d.Start.Format("2006"), ""
	case PrecisionMonth:
		return d.Start.Format("2006-01"), ""
	case PrecisionRange:
		return d.Start.Format("2006-01-02"), d.End.Format("2006-01-02")
	}
	return d.Start.Format("2006-01-02"), ""
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.Precision == "" }

// Overlaps reports whether the date may fall within [from, to]; a zero bound is open.
func (d Date) Overlaps(from, to time.Time) bool {
	return (from.IsZero() || !d.End.Before(from)) && (to.IsZero() || !d.Start.After(to))
}

type dateJSON struct {
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
	Note  string `json:"note,omitempty"`
}

// MarshalJSON writes the bundle form {"start": "2014-04", "end": ..., "note": ...}.
func (d Date) MarshalJSON() ([]byte, error) {
	s, e := d.Format()
	return json.Marshal(dateJSON{Start: s, End: e, Note: d.Note})
}

// UnmarshalJSON reads the bundle form.
func (d *Date) UnmarshalJSON(b []byte) error {
	var v dateJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	parsed, err := ParseDate(v.Start, v.End, v.Note)
	if err != nil {
		// Kept, not returned, so that the record's other problems are reported too, and this one
		// under the field that holds the date.
		*d = Date{Precision: PrecisionDay, err: err}
		return nil
	}
	*d = parsed
	return nil
}

// checkDate records the problems of a date read from a bundle under field.
func checkDate(p *Problems, field string, d *Date, required bool) {
	switch {
	case d == nil || d.IsZero():
		if required {
			p.Add(field, "is required")
		}
	case d.err != nil:
		var ps Problems
		var e *Error
		if asErr(d.err, &ps) {
			*p = append(*p, ps.Prefixed(field)...)
		} else if asErr(d.err, &e) {
			*p = append(*p, Problems{e}.Prefixed(field)...)
		} else {
			p.Add(field, "%v", d.err)
		}
	}
}

// TimeTreeIDs returns the ids of the time-tree nodes a date hangs from, most specific last:
// year:2014, month:2014-04, day:2014-04-30 for a day; the year and month for a month; the year for a
// year; and for a range, the nodes its start and end share (none when they fall in different years).
func (d Date) TimeTreeIDs() []string {
	if d.IsZero() {
		return nil
	}
	ids := []string{}
	if d.Start.Year() != d.End.Year() {
		return ids
	}
	ids = append(ids, "year:"+d.Start.Format("2006"))
	if d.Precision == PrecisionYear || d.Start.Month() != d.End.Month() {
		return ids
	}
	ids = append(ids, "month:"+d.Start.Format("2006-01"))
	if d.Precision == PrecisionMonth || !d.Start.Equal(d.End) {
		return ids
	}
	return append(ids, "day:"+d.Start.Format("2006-01-02"))
}

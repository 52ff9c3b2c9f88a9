package athar_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// fieldOf returns the field the only problem of err names, or "" when err is not one problem.
func fieldOf(err error) string {
	var e *athar.Error
	if !errors.As(err, &e) || athar.ErrorCode(err) != athar.EINVALID {
		return ""
	}
	return e.Field
}

func TestParseDate_Bounds(t *testing.T) {
	next := time.Now().UTC().Year() + 1
	for _, c := range []struct {
		start, end string
		field      string // "" when the date is accepted
		prec       athar.DatePrecision
	}{
		{"1900-01-01", "", "", athar.PrecisionDay},
		{fmt.Sprint(next), "", "", athar.PrecisionYear},
		{"9999", "", "start", ""},
		{"9999-12-31", "", "start", ""},
		{"1899-12-31", "", "start", ""},
		{"0001-01-01", "", "start", ""},
		{fmt.Sprint(next + 1), "", "start", ""},
		{"2014-04-30", "9999-01-01", "end", ""},
		{"2014-04-30", fmt.Sprintf("%d-01", next+1), "end", ""},
		// An end that adds nothing to the start leaves its precision.
		{"2014-04-30", "2014-04-30", "", athar.PrecisionDay},
		{"2014-04", "2014-04-30", "", athar.PrecisionMonth},
		{"2014-04", "2014-04", "", athar.PrecisionMonth},
		{"2014", "2014-12-31", "", athar.PrecisionYear},
		{"2014-04-30", "2014-05-01", "", athar.PrecisionRange},
		{"2014", "2014-06-30", "", athar.PrecisionRange},
	} {
		d, err := athar.ParseDate(c.start, c.end, "")
		switch {
		case c.field != "" && fieldOf(err) != c.field:
			t.Errorf("ParseDate(%q, %q) = %v, want a problem with %s", c.start, c.end, err, c.field)
		case c.field == "" && err != nil:
			t.Errorf("ParseDate(%q, %q): %v", c.start, c.end, err)
		case c.field == "" && d.Precision != c.prec:
			t.Errorf("ParseDate(%q, %q) is a %s, want %s", c.start, c.end, d.Precision, c.prec)
		}
	}
	if _, err := athar.ParseDate("9999", "", ""); err == nil || !strings.Contains(err.Error(), "the year 9999 is outside 1900 to") {
		t.Errorf("the message of a year out of range: %v", err)
	}
}

func TestDateRange_Check_Years(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		r     athar.DateRange
		field string
	}{
		{athar.DateRange{From: day("2014-01-01"), To: day("2016-12-31")}, ""},
		{athar.DateRange{}, ""},
		{athar.DateRange{From: day("9999-01-01")}, "dateRange.from"},
		{athar.DateRange{To: day("1000-01-01")}, "dateRange.to"},
		{athar.DateRange{From: day("2016-01-01"), To: day("2014-01-01")}, "dateRange.to"},
	} {
		err := c.r.Check("dateRange")
		if c.field == "" && err != nil || c.field != "" && fieldOf(err) != c.field {
			t.Errorf("%+v: %v, want a problem with %q", c.r, err, c.field)
		}
	}
	f := athar.AttackFilter{Dates: athar.DateRange{From: day("9999-01-01"), To: day("1000-01-01")}}
	var ps athar.Problems
	if err := f.Validate("filter"); !errors.As(err, &ps) || len(ps) != 2 || ps[0].Field != "filter.dateRange.from" || ps[1].Field != "filter.dateRange.to" {
		t.Errorf("both bounds out of range: %v, want each named", err)
	}
}

func TestTimeTreeIDs_Bounds(t *testing.T) {
	if id, err := athar.YearID(2014); err != nil || id != "year:2014" {
		t.Errorf("YearID(2014) = %q, %v", id, err)
	}
	for _, y := range []int{9999, 1899, 0, -5, math.MaxInt32} {
		if _, err := athar.YearID(y); fieldOf(err) != "year" {
			t.Errorf("YearID(%d): %v, want a problem with year", y, err)
		}
		if _, err := athar.MonthID(y, 4); fieldOf(err) != "year" {
			t.Errorf("MonthID(%d, 4): %v, want a problem with year", y, err)
		}
	}
	if _, err := athar.MonthID(2014, 13); fieldOf(err) != "month" {
		t.Errorf("MonthID(2014, 13): %v", err)
	}
	if id, err := athar.DayID(time.Date(2014, 4, 30, 0, 0, 0, 0, time.UTC)); err != nil || id != "day:2014-04-30" {
		t.Errorf("DayID = %q, %v", id, err)
	}
	if _, err := athar.DayID(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); fieldOf(err) != "date" {
		t.Errorf("DayID(9999-01-01): %v, want a problem with date", err)
	}
}

func TestCounts_Bounds(t *testing.T) {
	claim := func(r *athar.Range) *athar.Claim {
		return &athar.Claim{ID: "claim:x", AttackID: "attack:a", SourceID: "source:s", Kind: "CASUALTIES", Stance: athar.Asserts,
			Text: "t", Quote: "q", Killed: r}
	}
	for _, c := range []struct {
		r     *athar.Range
		field string
	}{
		{&athar.Range{Low: n(athar.MaxCount)}, ""},
		{&athar.Range{Low: n(0), High: n(0)}, ""},
		{&athar.Range{Low: n(athar.MaxCount + 1)}, "killed.low"},
		{&athar.Range{Best: n(math.MaxInt32)}, "killed.best"},
		{&athar.Range{High: n(3_000_000_000)}, "killed.high"},
		{&athar.Range{Low: n(-1)}, "killed.low"},
	} {
		p, _ := athar.Validate(claim(c.r))
		if c.field == "" && len(p) != 0 || c.field != "" && (len(p) != 1 || p[0].Field != c.field) {
			t.Errorf("killed %v: %v, want a problem with %q", c.r.Values(), p, c.field)
		}
	}
	for _, c := range []struct {
		min  int
		fail bool
	}{{0, false}, {athar.MaxCount, false}, {athar.MaxCount + 1, true}, {3_000_000_000, true}, {-1, true}} {
		f := athar.AttackFilter{MinKilled: n(c.min)}
		err := f.Validate("filter")
		if c.fail != (fieldOf(err) == "filter.minKilled") || !c.fail && err != nil {
			t.Errorf("minKilled %d: %v", c.min, err)
		}
	}
}

func TestReadBundle_Bounds(t *testing.T) {
	b, err := athar.ReadBundle(strings.NewReader(`{"format":"athar-bundle","version":1,
"attacks":[{"id":"attack:a","title":"A","date":{"start":"9999-01-01"}}],
"claims":[{"id":"claim:a","attackId":"attack:a","sourceId":"source:s","kind":"CASUALTIES","text":"t","quote":"q","killed":{"min":2147483647}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	problems, _ := b.Validate()
	assertProblems(t, problems, "attacks[0].date.start", "claims[0].killed.low")
}

func TestRepeatedRequest_Bounds(t *testing.T) {
	for _, c := range []struct {
		req   athar.RepeatedRequest
		field string
	}{
		{athar.RepeatedRequest{MinAttacks: 2, WithinDays: 365}, ""},
		{athar.RepeatedRequest{MinAttacks: 2, WithinDays: athar.MaxDays}, ""},
		{athar.RepeatedRequest{MinAttacks: 2, WithinDays: 1_000_000}, "withinDays"},
		{athar.RepeatedRequest{MinAttacks: 2, WithinDays: -1}, "withinDays"},
		{athar.RepeatedRequest{MinAttacks: 0}, "minAttacks"},
	} {
		if err := c.req.Check(); c.field == "" && err != nil || c.field != "" && fieldOf(err) != c.field {
			t.Errorf("%+v: %v, want a problem with %q", c.req, err, c.field)
		}
	}
}

func TestRepeatedTargets_CenturyWindow(t *testing.T) {
	day := func(y int) time.Time { return time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC) }
	attacks := map[string][]athar.DatedAttack{
		"facility:near": {{ID: "attack:1", Start: day(1920)}, {ID: "attack:2", Start: day(2019)}},
		"facility:far":  {{ID: "attack:3", Start: day(1900)}, {ID: "attack:4", Start: day(2026)}},
	}
	got := athar.RepeatedTargets(attacks, 2, athar.MaxDays)
	if len(got) != 1 || got[0].FacilityID != "facility:near" || got[0].AttacksInWindow != 2 {
		t.Errorf("within a century: %+v, want the facility hit 99 years apart, not the one 126 years apart", got)
	}
	if got := athar.RepeatedTargets(attacks, 2, 0); len(got) != 2 {
		t.Errorf("with no window: %+v, want both", got)
	}
}

func TestSaturatedInt(t *testing.T) {
	for in, want := range map[int64]int{0: 0, 35: 35, math.MaxInt32: math.MaxInt32, 4_294_967_294: math.MaxInt32,
		math.MaxInt64: math.MaxInt32, math.MinInt32 - 1: math.MinInt32} {
		if got := athar.SaturatedInt(in); got != want {
			t.Errorf("SaturatedInt(%d) = %d, want %d", in, got, want)
		}
	}
}

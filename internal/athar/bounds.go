package athar

import (
	"math"
	"time"
)

// The plausible bounds of numbers and dates. Every casualty figure, day count and date that enters
// Athar (an API input, a filter, an export parameter, a bundle record) is checked against them and
// refused, naming its field, when it falls outside: a figure beyond them is a typing slip or a
// probe, never a record.

// MaxCount is the largest casualty figure (killed, children killed, injured) a claim may give, and
// the largest minKilled a filter may ask for. The deadliest single events in UCDP's Georeferenced
// Event Dataset (GED) are counted in the hundreds of thousands (the Rwandan genocide of 1994 is
// recorded as a few events with best estimates above 100,000 each); a million leaves room above
// any of them while keeping every figure far inside a 32-bit GraphQL Int.
const MaxCount = 1_000_000

// MaxDays is the largest number of days a day count (repeatedlyTargeted's withinDays, a window of
// days) may give: a century of 366-day years, 36,600. That is longer than any armed conflict UCDP
// records as one, and small enough that a window in days, however it is computed, never overflows
// (a time.Duration holds about 292 years).
const MaxDays = 36_600

// MinYear is the earliest year a date may fall in. It reaches back before the Hague Conventions of
// 1899 and 1907, the first treaties that protect hospitals and buildings of education, science
// and charity from bombardment (1907 Regulations, art. 27), and so covers every record the field
// keeps: UCDP GED begins in 1989 and ACLED in 1997.
const MinYear = 1900

// MaxYear returns the latest year a date may fall in: the current year (UTC) plus one, which
// admits a date written on another time zone's side of New Year and a document dated ahead of its
// release, and refuses years such as 9999.
func MaxYear() int { return time.Now().UTC().Year() + 1 }

// CheckYear records a problem when year is outside MinYear..MaxYear(), naming field.
func CheckYear(p *Problems, field string, year int) {
	if year < MinYear || year > MaxYear() {
		p.Add(field, "the year %d is outside %d to %d", year, MinYear, MaxYear())
	}
}

// checkDay records a problem when the day t falls outside the years MinYear..MaxYear(); a zero t
// (no bound) is no problem.
func checkDay(p *Problems, field string, t time.Time) {
	if !t.IsZero() {
		CheckYear(p, field, t.Year())
	}
}

// YearID returns the id of the time tree's node of a year, "year:2014".
// Errors: EINVALID (a year outside MinYear..MaxYear(), naming year).
func YearID(year int) (string, error) {
	var p Problems
	CheckYear(&p, "year", year)
	if err := p.Err(); err != nil {
		return "", err
	}
	return "year:" + time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), nil
}

// DayID returns the id of the time tree's node of a day, "day:2014-04-30".
// Errors: EINVALID (a day outside the years MinYear..MaxYear(), naming date).
func DayID(day time.Time) (string, error) {
	var p Problems
	CheckYear(&p, "date", day.Year())
	if err := p.Err(); err != nil {
		return "", err
	}
	return "day:" + day.Format(time.DateOnly), nil
}

// SaturatedInt returns n as an int that a 32-bit GraphQL Int can carry: n itself when it fits,
// else the nearest of math.MinInt32 and math.MaxInt32. Sums over many attacks (a timeline
// bucket's killed figures) go through it: each figure is at most MaxCount, but 2,148 attacks of
// MaxCount already sum beyond math.MaxInt32, so a sum saturates at 2,147,483,647 rather than
// failing or wrapping around.
func SaturatedInt(n int64) int {
	return int(max(math.MinInt32, min(n, math.MaxInt32)))
}

package athar

import (
	"fmt"
	"strings"
)

// DefaultMaxProblems is how many problems a Report keeps when its Max is 0: more than anyone reads
// through, few enough (a few hundred kilobytes) that a file of a million bad records is reported
// without holding a million messages.
const DefaultMaxProblems = 1000

// Report collects problems up to a limit and counts the rest: the first Max problems found are kept,
// in the order they were found, and those beyond are only counted in More. It is what reading and
// checking a bundle return (Bundle.Check), and an error when it holds any problem (Err).
type Report struct {
	Problems Problems // the first problems found, at most Max
	More     int      // how many more problems there were, not kept
	// Max is how many problems are kept: 0 means DefaultMaxProblems, a negative number no limit.
	Max int
}

// Add records problems, keeping those that fit under the limit and counting the others.
func (r *Report) Add(ps ...*Error) {
	limit := r.limit()
	for _, p := range ps {
		if limit >= 0 && len(r.Problems) >= limit {
			r.More++
			continue
		}
		r.Problems = append(r.Problems, p)
	}
}

// Addf records a problem with a field, as Problems.Add does; past the limit it only counts it,
// without formatting its message.
func (r *Report) Addf(field, format string, args ...any) {
	if limit := r.limit(); limit >= 0 && len(r.Problems) >= limit {
		r.More++
		return
	}
	r.Add(Invalid(field, format, args...))
}

func (r *Report) limit() int {
	switch {
	case r.Max == 0:
		return DefaultMaxProblems
	case r.Max < 0:
		return -1
	}
	return r.Max
}

// Len returns how many problems were found, kept or not.
func (r *Report) Len() int { return len(r.Problems) + r.More }

// Err returns nil when there is no problem, the Problems when every one was kept, and the Report
// itself when some were only counted. Either way errors.As finds the kept Problems in it.
func (r *Report) Err() error {
	switch {
	case r.Len() == 0:
		return nil
	case r.More == 0:
		return r.Problems
	}
	return r
}

// Error lists the kept problems, one per line, and says how many more there were.
func (r *Report) Error() string {
	var b strings.Builder
	b.WriteString(r.Problems.Error())
	if r.More > 0 {
		fmt.Fprintf(&b, "\n%s", r.MoreMessage())
	}
	return b.String()
}

// MoreMessage says how many problems were found beyond those kept ("" when none).
func (r *Report) MoreMessage() string {
	if r.More == 0 {
		return ""
	}
	return fmt.Sprintf("… and %d more problem(s), not listed: only the first %d are kept", r.More, len(r.Problems))
}

// Unwrap returns the kept problems, so that errors.As finds them.
func (r *Report) Unwrap() error { return r.Problems }

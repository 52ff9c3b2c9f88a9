package resolvers_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// TestBounds_NumbersAndDates checks that the domain's plausible bounds reach GraphQL clients as
// BAD_USER_INPUT (or INVALID user errors) naming the field.
func TestBounds_NumbersAndDates(t *testing.T) {
	c := MustServer(t, true)
	next := time.Now().UTC().Year() + 1

	t.Run("day counts", func(t *testing.T) {
		c.MustError(`{ repeatedlyTargeted(withinDays: 1000000) { totalCount } }`, nil, "BAD_USER_INPUT", "withinDays")
		c.MustError(`{ repeatedlyTargeted(withinDays: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "withinDays")
		var got struct {
			RepeatedlyTargeted struct{ TotalCount int }
		}
		c.MustData(fmt.Sprintf(`{ repeatedlyTargeted(withinDays: %d) { totalCount } }`, athar.MaxDays), nil, &got)
		if got.RepeatedlyTargeted.TotalCount != 1 {
			t.Errorf("within a century: %d facilities, want Ain Jalout school", got.RepeatedlyTargeted.TotalCount)
		}
	})
	t.Run("figures", func(t *testing.T) {
		c.MustError(`{ attacks(filter: {minKilled: 1000001}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.minKilled")
		c.MustError(`{ timeline(interval: YEAR, filter: {minKilled: 1000001}) { attacks } }`, nil, "BAD_USER_INPUT", "filter.minKilled")
		c.MustUserError(`mutation { addClaim(input: {attackId: "attack:ain-jalout-school-2014-04-30", sourceId: "source:ain-jalout-2014-article",
		  kind: CASUALTIES, text: "t", quote: "q", injured: {high: 1000001}}) { claim { id } userErrors { field code message } } }`,
			nil, "INVALID", "input", "injured", "high")
	})
	t.Run("dates", func(t *testing.T) {
		c.MustError(`{ year(year: 9999) { year } }`, nil, "BAD_USER_INPUT", "year")
		c.MustError(`{ month(year: 1899, month: 12) { month } }`, nil, "BAD_USER_INPUT", "year")
		c.MustError(`{ day(date: "9999-12-31") { date } }`, nil, "BAD_USER_INPUT", "date")
		c.MustError(`{ attacks(filter: {dateRange: {from: "9999-01-01"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.dateRange.from")
		c.MustError(`{ facility(id: "facility:ain-jalout-school") { attacks(dateRange: {to: "1000-01-01"}) { totalCount } } }`,
			nil, "BAD_USER_INPUT", "dateRange.to")
		c.MustUserError(`mutation { createAttack(input: {title: "Far future", date: {start: "9999"}}) { attack { id } userErrors { field code message } } }`,
			nil, "INVALID", "input", "date", "start")
		c.MustUserError(fmt.Sprintf(`mutation { createAttack(input: {title: "Too late", date: {start: "2014-04-30", end: "%d-01-01"}}) {
		  attack { id } userErrors { field code message } } }`, next+1), nil, "INVALID", "input", "date", "end")
		c.MustUserError(`mutation { updateSource(input: {id: "source:ain-jalout-2014-article", published: {start: "1899"}}) {
		  source { id } userErrors { field code message } } }`, nil, "INVALID", "input", "published", "start")
	})
	t.Run("an end equal to the start is the day", func(t *testing.T) {
		var got struct {
			CreateAttack struct {
				Attack struct {
					Date struct{ Start, End, Precision string }
				}
			}
		}
		c.MustMutate(`mutation { createAttack(input: {title: "One day", date: {start: "2014-04-30", end: "2014-04-30"}}) {
		  attack { date { start end precision } } userErrors { field code message } } }`, nil, &got)
		if d := got.CreateAttack.Attack.Date; d.Start != "2014-04-30" || d.End != "2014-04-30" || d.Precision != "DAY" {
			t.Errorf("date %+v, want the DAY 2014-04-30", d)
		}
	})
}

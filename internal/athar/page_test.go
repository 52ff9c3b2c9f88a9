package athar_test

import (
	"testing"

	"github.com/athar-project/athar/internal/athar"
)

func TestPageWindow(t *testing.T) {
	n := func(v int) *int { return &v }
	s := func(v string) *string { return &v }
	at := func(o int) *string { return s(athar.ListCursor("L", o)) }
	const total = 10
	cases := []struct {
		name   string
		args   athar.PageArgs
		want   athar.Window
		counts bool   // the total is asked for
		field  string // the error's field, when it fails
	}{
		{"default", athar.PageArgs{}, athar.Window{Limit: 20}, false, ""},
		{"first after", athar.PageArgs{First: n(3), After: at(2)}, athar.Window{Offset: 3, Limit: 3}, false, ""},
		{"first before", athar.PageArgs{First: n(5), Before: at(2)}, athar.Window{Limit: 2}, false, ""},
		{"last of the whole list", athar.PageArgs{Last: n(3)}, athar.Window{Offset: 7, Limit: 3}, true, ""},
		{"last before", athar.PageArgs{Last: n(3), Before: at(7)}, athar.Window{Offset: 4, Limit: 3}, false, ""},
		{"last before, near the start", athar.PageArgs{Last: n(3), Before: at(1)}, athar.Window{Offset: 0, Limit: 1}, false, ""},
		{"last after", athar.PageArgs{Last: n(3), After: at(8)}, athar.Window{Offset: 9, Limit: 1}, true, ""},
		{"last more than the list", athar.PageArgs{Last: n(50)}, athar.Window{Offset: 0, Limit: 10}, true, ""},
		{"last 0", athar.PageArgs{Last: n(0)}, athar.Window{Offset: 10, Limit: 0}, true, ""},
		{"first and last", athar.PageArgs{First: n(1), Last: n(1)}, athar.Window{}, false, "last"},
		{"after and before", athar.PageArgs{After: at(1), Before: at(5)}, athar.Window{}, false, "before"},
		{"before of another list", athar.PageArgs{Last: n(1), Before: s(athar.ListCursor("M", 3))}, athar.Window{}, false, "before"},
		{"last too many", athar.PageArgs{Last: n(1001)}, athar.Window{}, false, "last"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			counted := false
			w, err := athar.PageWindow("L", c.args, 20, 1000, func() (int, error) { counted = true; return total, nil })
			if c.field != "" {
				if e, ok := err.(*athar.Error); !ok || e.Field != c.field {
					t.Fatalf("error %v, want one naming %s", err, c.field)
				}
				return
			}
			if err != nil || w != c.want || counted != c.counts {
				t.Errorf("window %+v, counted %v, error %v; want %+v, counted %v", w, counted, err, c.want, c.counts)
			}
		})
	}
}

func TestPageRequest_RefusesMixing(t *testing.T) {
	n := func(v int) *int { return &v }
	s := func(v string) *string { return &v }
	for _, c := range []struct {
		args  athar.PageArgs
		field string
	}{
		{athar.PageArgs{First: n(2), Last: n(2)}, "last"},
		{athar.PageArgs{After: s("a"), Before: s("b")}, "before"},
		{athar.PageArgs{Last: n(101)}, "last"},
	} {
		if _, err := athar.NewPageRequest(c.args); err == nil || err.(*athar.Error).Field != c.field {
			t.Errorf("%+v: error %v, want one naming %s", c.args, err, c.field)
		}
	}
	r, err := athar.NewPageRequest(athar.PageArgs{Last: n(5), Before: s("b")})
	if err != nil || r.First != 0 || !r.Backward() || r.Size() != 5 || r.Before != "b" {
		t.Errorf("last 5 before b: %+v, %v", r, err)
	}
	if err := (athar.PageRequest{First: 3, Last: n(3)}).Check(); err == nil {
		t.Error("Check took first with last")
	}
}

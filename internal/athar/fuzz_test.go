package athar_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// The fuzz tests run their seed corpora with every `go test`; run one longer with, for example:
//
//	go test ./internal/athar -run '^$' -fuzz FuzzReadBundle -fuzztime 5m
//	go test ./internal/athar -run '^$' -fuzz FuzzParseDate -fuzztime 5m

// goWords are fragments of Go's own error texts and type names that no client may see.
var goWords = []string{"json: ", "Go struct", "Go value", "map[", "[]interface", "interface {", "*athar", "reflect", "runtime error", "strconv."}

// checkProblem fails when a problem says nothing, or speaks in Go's words.
func checkProblem(t *testing.T, input []byte, e *athar.Error) {
	t.Helper()
	if e.Code != athar.EINVALID || e.Message == "" {
		t.Errorf("%q: problem %+v, want an EINVALID with a message", clip(input), e)
	}
	for _, w := range goWords {
		// A word the input itself holds is the input quoted back ("format: is \"*athar\""), not Go.
		if strings.Contains(e.Message, w) && !bytes.Contains(input, []byte(w)) {
			t.Errorf("%q: problem %q speaks Go (%q)", clip(input), e.Error(), w)
		}
	}
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// within runs f, failing the test when it takes longer than a generous limit: a fuzz input must
// never make the reader hang.
func within(t *testing.T, input []byte, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%q: still running after 20 s", clip(input))
	}
}

func FuzzReadBundle(f *testing.F) {
	seed, err := os.ReadFile("../../data/seed/seed.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	b, err := athar.ReadBundle(bytes.NewReader(seed))
	if err != nil {
		f.Fatal(err)
	}
	var nd bytes.Buffer
	if err := b.Write(&nd, true); err != nil {
		f.Fatal(err)
	}
	f.Add(nd.Bytes())
	header := `{"format":"athar-bundle","version":2}`
	for _, s := range []string{
		"", "null", "[]", "{}", `"athar-bundle"`, "{", "\xef\xbb\xbf" + header, header, header + "\n", header + "\n\n\n",
		`{"format":"athar-bundle","version":1e400}`, `{"format":"athar-bundle","version":-1}`, `{"format":7,"version":"2"}`,
		`{"format":"athar-bundle","version":2,"attacks":[null]}`, `{"format":"athar-bundle","version":2,"attacks":{}}`,
		`{"format":"athar-bundle","version":2,"planets":[]}`,
		`{"format":"athar-bundle","version":2,"attacks":[{"id":"attack:a","title":"A","date":{"start":"9999"}}]}`,
		`{"format":"athar-bundle","version":2,"attacks":[{"id":"attack:a","title":"A","date":{"start":"2014-04-30","end":"2014-04-30"}}]}`,
		`{"format":"athar-bundle","version":2,"attacks":[{"id":"attack:a","title":"A","date":"2014"}]}`,
		`{"format":"athar-bundle","version":2,"attacks":[{"id":"attack:a","title":"A","date":{"start":2014}}]}`,
		`{"format":"athar-bundle","version":1,"claims":[{"id":"claim:a","attackId":"attack:a","sourceId":"source:s","kind":"CASUALTIES","text":"t","quote":"q","killed":{"min":2147483647}}]}`,
		`{"format":"athar-bundle","version":2,"claims":[{"id":"claim:a","killed":{"low":1,"min":2}}]}`,
		`{"format":"athar-bundle","version":2,"claims":[{"id":"claim:a","killed":{"low":1e300}}]}`,
		`{"format":"athar-bundle","version":2,"claims":[{"id":"claim:a","killed":{"low":-0.5,"high":"35"}}]}`,
		`{"format":"athar-bundle","version":2,"facilities":[{"id":"facility:a","name":"A","type":"SCHOOL","location":{"latitude":1e999}}]}`,
		`{"format":"athar-bundle","version":2,"places":[{"id":"place:a","name":"A","kind":"CITY","partOf":"place:a"}]}`,
		header + "\n" + `{"record":"attack","id":"attack:a","title":"A","date":{"start":"2014"}}`,
		header + "\n" + `{"record":"planet"}` + "\n" + `[1,2]` + "\n" + `"x"` + "\n" + `{"record":7}`,
		header + "\n" + `{"record":"claim","id":"claim:a","killed":{"min":1}}` + "\n" + `{"record":"attack"`,
		header + "\n" + strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000),
		`{"format":"athar-bundle","version":2,"attacks":[` + strings.Repeat(`{"id":"attack:a"},`, 200) + `{}]}`,
		header + "\n" + `{"record":"source","id":"source:s","title":"\ud800","kind":"NEWS","published":{"start":"2016-02-29","end":"2015"}}`,
		"\x00\x01\x02", "{\"format\":\"athar-bundle\",\"version\":2}{\"record\":\"place\"}",
	} {
		f.Add([]byte(s))
	}
	// What the reader must tell in one pass: a byte-order mark, keys given twice, text after a JSON
	// bundle, a line past the limit (4 KiB here), a null line, type errors and unknown keys nested.
	for _, s := range []string{
		"\xef\xbb\xbf" + `{"format":"athar-bundle","version":2,"places":[{"id":"place:a","name":"A","kind":"CITY"}]}`,
		"\xef\xbb\xbf" + header + "\n" + `{"record":"place","id":"place:a","name":"A","kind":"CITY"}`,
		`{"format":"athar-bundle","version":2,"version":2,"places":[{"id":"place:a","id":"place:b","name":"A","kind":"CITY","location":{"latitude":1,"latitude":2}}]}`,
		header + "\n" + `{"record":"place","record":"actor","id":"place:a","name":"A","kind":"CITY"}`,
		`{"format":"athar-bundle","version":2,"places":[]} trailing`,
		`{"format":"athar-bundle","version":2,"places":[]}` + "\n" + `{"record":"place","id":"place:a","name":"A","kind":"CITY"}`,
		header + "\n" + `{"record":"place","id":"place:a","name":"` + strings.Repeat("A", 5000) + `","kind":"CITY"}` + "\nnull\n",
		header + "\n" + "null\n" + `{"record":"place","id":"place:b","partOf":"place:a"}`,
		header + "\n" + `{"record":"attack","id":"attack:a","title":"A","date":{"start":2014,"x":1},"location":{"latitude":"36","foo":{}},"placeIds":[1,null,"place:x"]}`,
		header + "\n" + `{"record":"planet","id":"place:a"}` + "\n" + `{"record":"place","id":"place:b","name":"B","kind":"CITY","partOf":"place:a"}`,
		header + "\n" + `{"record":"place","id":"place:a",` + "\n" + `{"record":"place","id":"place:b","name":"B","kind":"CITY","partOf":"place:a"}`,
		`{"format":"athar-bundle",` + "\n" + `"version":2}` + "\n" + `{"record":"place","id":"place:a","name":"A","kind":"CITY"} {}`,
		`{"format":"athar-bundle","version":2,"claims":[{"id":"claim:a","killed":{"low":"1","high":2.5,"min":1}}]}`,
		`{"format":"athar-bundle","version":2,"places":[{"id":"place:a","name":"\u0041\ud800","kind":"CITY","aliases":["x",7]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		within(t, data, func() {
			// With a small limit on lines and problems too, so that the fuzzer reaches both.
			small, err := athar.ReadBundleWith(bytes.NewReader(data), athar.ReadOptions{MaxLineBytes: 4096, MaxProblems: 5})
			if small == nil {
				t.Fatalf("%q: no bundle: %v", clip(data), err)
			}
			if r, _ := small.Check(); len(r.Problems) > 5 || len(small.ReadProblems.Problems) > 5 {
				t.Fatalf("%q: %d problems kept (%d in reading), past the limit of 5", clip(data), len(r.Problems), len(small.ReadProblems.Problems))
			}
			b, err := athar.ReadBundle(bytes.NewReader(data))
			if b == nil {
				t.Fatalf("%q: no bundle: %v", clip(data), err)
			}
			read := b.ReadProblems.Problems
			if err != nil {
				var ps athar.Problems
				if !errors.As(err, &ps) || len(ps) == 0 || len(ps) != len(read) {
					t.Fatalf("%q: %v (%T), want the problems of reading", clip(data), err, err)
				}
			} else if len(read) > 0 {
				t.Fatalf("%q: %d problems of reading and no error", clip(data), len(read))
			}
			report, _ := b.Check()
			wheres := map[string]bool{}
			for _, r := range b.Records {
				wheres[r.Where] = true
			}
			for i, p := range report.Problems {
				checkProblem(t, data, p)
				if i < len(read) {
					if p.Error() != read[i].Error() {
						t.Errorf("%q: Check's problem %d is %q, reading's %q", clip(data), i, p.Error(), read[i].Error())
					}
					// Only a file that is no JSON at all has no place to name.
					if p.Field == "" && !strings.HasPrefix(p.Message, "not a JSON bundle") {
						t.Errorf("%q: problem %q does not say where", clip(data), p.Message)
					}
					continue
				}
				where, _, _ := strings.Cut(p.Field, ".")
				if !wheres[where] {
					t.Errorf("%q: problem %q does not name its record", clip(data), p.Error())
				}
			}
			if report.Len() > 0 {
				return
			}
			// A bundle read without a problem is written and read back whole, in either form.
			for _, ndjson := range []bool{false, true} {
				var out bytes.Buffer
				if err := b.Write(&out, ndjson); err != nil {
					t.Fatalf("%q: writing it back: %v", clip(data), err)
				}
				again, err := athar.ReadBundle(&out)
				if err != nil || len(again.Records) != len(b.Records) {
					t.Fatalf("%q: written (ndjson %v) and read back: %v", clip(data), ndjson, err)
				}
			}
		})
	})
}

func FuzzParseDate(f *testing.F) {
	next := time.Now().UTC().Year() + 1
	for _, s := range [][2]string{
		{"2014-04-30", ""}, {"2014-04", ""}, {"2014", ""}, {"2014-04-30", "2014-04-30"}, {"2014-04", "2014-04-30"},
		{"2016-11-14", "2016-11-20"}, {"2016-09", "2016-11"}, {"9999", ""}, {"1899-12-31", ""}, {"1900-01-01", ""},
		{fmt.Sprint(next), ""}, {fmt.Sprint(next + 1), ""}, {"0000", ""}, {"-001", ""}, {"+2014", ""}, {"2014-02-29", ""},
		{"2016-02-29", ""}, {"2014-13", ""}, {"2014-00-10", ""}, {"2014-4-3", ""}, {" 2014 ", " 2015 "}, {"2014-05", "2014-04-30"},
		{"２０１４", ""}, {"٢٠١٤", ""}, {"2014-04-30T00:00:00Z", ""}, {"", "2014"}, {"\x00", "\xff"}, {"2014", "9999-12-31"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, start, end string) {
		d, err := athar.ParseDate(start, end, "")
		if err != nil {
			var ps athar.Problems
			var e *athar.Error
			switch {
			case errors.As(err, &ps):
			case errors.As(err, &e):
				ps = athar.Problems{e}
			default:
				t.Fatalf("ParseDate(%q, %q): %v (%T), want problems", start, end, err, err)
			}
			for _, p := range ps {
				checkProblem(t, []byte(start+" "+end), p)
				if p.Field != "start" && p.Field != "end" {
					t.Errorf("ParseDate(%q, %q): problem %q names neither start nor end", start, end, p.Error())
				}
			}
			return
		}
		if d.End.Before(d.Start) || d.Start.Year() < athar.MinYear || d.End.Year() > athar.MaxYear() {
			t.Fatalf("ParseDate(%q, %q) = %v..%v: out of order or of bounds", start, end, d.Start, d.End)
		}
		switch d.Precision {
		case athar.PrecisionDay, athar.PrecisionMonth, athar.PrecisionYear, athar.PrecisionRange:
		default:
			t.Fatalf("ParseDate(%q, %q): precision %q", start, end, d.Precision)
		}
		if d.Precision == athar.PrecisionDay && !d.Start.Equal(d.End) || d.Precision == athar.PrecisionRange && d.Start.Equal(d.End) {
			t.Errorf("ParseDate(%q, %q) = %s %v..%v", start, end, d.Precision, d.Start, d.End)
		}
		// The date written back reads as the same date.
		s, e := d.Format()
		again, err := athar.ParseDate(s, e, "")
		if err != nil || !again.Start.Equal(d.Start) || !again.End.Equal(d.End) || again.Precision != d.Precision {
			t.Errorf("ParseDate(%q, %q) = %v, written %q..%q, read back as %v, %v", start, end, d, s, e, again, err)
		}
	})
}

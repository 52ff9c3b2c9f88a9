package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
)

// bulkAttacks is how many attacks MustBulkAttacks writes: more than the 10,000 rows an export
// once stopped at.
const bulkAttacks = 10_050

// MustBulkAttacks imports n attacks on one located school through the store's import, three to a
// day from 2000-01-01 (so that pages end between attacks of the same day, ordered by id), with a
// killed figure on every tenth.
func MustBulkAttacks(tb testing.TB, store *neo4jstore.Store, n int) {
	tb.Helper()
	b := &athar.Bundle{Records: []athar.Record{{Where: "facility", Entity: &athar.Facility{ID: "facility:bulk-school", Name: "Bulk school",
		Type: "SCHOOL", Location: &athar.Location{Latitude: 36.2, Longitude: 37.15, Precision: "EXACT"}}}}}
	src := &athar.Source{ID: "source:bulk", Title: "Bulk source", Kind: "NEWS"}
	b.Records = append(b.Records, athar.Record{Where: "source", Entity: src})
	first := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		day := first.AddDate(0, 0, i/3)
		a := &athar.Attack{ID: fmt.Sprintf("attack:bulk-%05d", i), Title: fmt.Sprintf("مدرسة %d", i),
			Date: athar.Date{Start: day, End: day, Precision: athar.PrecisionDay}, FacilityIDs: []string{"facility:bulk-school"}}
		b.Records = append(b.Records, athar.Record{Where: a.ID, Entity: a})
		if i%10 == 0 {
			b.Records = append(b.Records, athar.Record{Where: a.ID + " claim", Entity: &athar.Claim{ID: fmt.Sprintf("claim:bulk-%05d", i),
				AttackID: a.ID, SourceID: src.ID, Kind: "CASUALTIES", Text: "Killed.", Quote: "killed", Killed: &athar.Range{Low: ptr(i), High: ptr(i + 1)}}})
		}
	}
	for _, r := range b.Records {
		athar.Normalize(r.Entity)
	}
	b.Sort()
	if _, err := store.Import(context.Background(), b, neo4jstore.ImportOptions{BatchSize: 5000}); err != nil {
		tb.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// pageCounter passes an export's reads to the real store, recording the size of each, and can
// hold a read back or fail it, so that a test sees how the export reads and what a failure does.
type pageCounter struct {
	athar.Explorer
	mu     sync.Mutex
	limits []int
	// before, when set, is called before the read of page i (from 0); a non-nil error fails it.
	before func(i int) error
}

func (c *pageCounter) AttackFeatures(ctx context.Context, f athar.AttackFilter, after *athar.FeatureCursor, limit int) ([]athar.AttackFeature, bool, error) {
	c.mu.Lock()
	i := len(c.limits)
	c.limits = append(c.limits, limit)
	before := c.before
	c.mu.Unlock()
	if before != nil {
		if err := before(i); err != nil {
			return nil, false, err
		}
	}
	return c.Explorer.AttackFeatures(ctx, f, after, limit)
}

// reset forgets the reads so far and sets what happens before each of the next.
func (c *pageCounter) reset(before func(i int) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.limits, c.before = nil, before
}

// reads returns the size of each read since the last reset.
func (c *pageCounter) reads() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.limits...)
}

func TestExport_StreamsEveryRow(t *testing.T) {
	store := MustStore(t, false)
	MustBulkAttacks(t, store, bulkAttacks)
	const pageSize = 1000
	counter := &pageCounter{Explorer: store}
	url := MustServer(t, store, func(c *httpapi.Config) { c.Explorer, c.ExportPageSize = counter, pageSize })

	t.Run("CSV, every row, read a page at a time", func(t *testing.T) {
		counter.reset(nil)
		resp, body := MustGet(t, url+"/export/attacks.csv?facilityId=facility:bulk-school", nil)
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%d, %v", resp.StatusCode, err)
		}
		if len(rows) != bulkAttacks+1 {
			t.Fatalf("%d rows, want a header and %d attacks", len(rows), bulkAttacks)
		}
		seen := map[string]bool{}
		for i, row := range rows[1:] {
			if want := fmt.Sprintf("attack:bulk-%05d", i); row[0] != want {
				t.Fatalf("row %d is %s, want %s: every attack once, by date then id", i+1, row[0], want)
			}
			seen[row[0]] = true
		}
		if rows[11][8] != "10" || rows[11][9] != "11" || rows[2][1] != "مدرسة 1" {
			t.Errorf("rows carry their figures and titles: %q, %q", rows[11], rows[2])
		}
		if want := bulkAttacks/pageSize + 1; len(counter.reads()) != want {
			t.Errorf("%d reads of the store, want %d pages of %d", len(counter.reads()), want, pageSize)
		}
		for _, l := range counter.reads() {
			if l != pageSize {
				t.Errorf("a read of %d attacks, want pages of %d", l, pageSize)
			}
		}
		if resp.Header.Get("X-Athar-Truncated") != "" || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("headers %v", resp.Header)
		}
	})
	t.Run("GeoJSON, every feature", func(t *testing.T) {
		counter.reset(nil)
		resp, body := MustGet(t, url+"/export/attacks.geojson?near=36.2,37.15,10", nil)
		var fc struct {
			Type      string
			Features  []struct{ ID string }
			Omitted   int
			Truncated bool
		}
		if err := json.Unmarshal(body, &fc); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%d, %v", resp.StatusCode, err)
		}
		if fc.Type != "FeatureCollection" || len(fc.Features) != bulkAttacks || fc.Truncated || fc.Omitted != 0 {
			t.Fatalf("%s with %d features, omitted %d, truncated %v; want all %d", fc.Type, len(fc.Features), fc.Omitted, fc.Truncated, bulkAttacks)
		}
		if fc.Features[bulkAttacks-1].ID != fmt.Sprintf("attack:bulk-%05d", bulkAttacks-1) {
			t.Errorf("last feature %s", fc.Features[bulkAttacks-1].ID)
		}
	})
	t.Run("rows reach the client before the next page is read", func(t *testing.T) {
		counter.reset(nil)
		firstLine := make(chan struct{})
		arrived := make(chan bool, 1)
		counter.reset(func(i int) error {
			if i == 1 {
				select {
				case <-firstLine:
					arrived <- true
				case <-time.After(20 * time.Second):
					arrived <- false
				}
			}
			return nil
		})
		defer counter.reset(nil)
		resp, err := http.Get(url + "/export/attacks.csv?from=2000-01-01&to=2001-12-31")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		close(firstLine)
		rest, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if !<-arrived {
			t.Error("the first page had not reached the client when the second was read")
		}
		// 2000 and 2001 are 731 days of three attacks each.
		if n := strings.Count(string(rest), "\n"); n != 3*731 {
			t.Errorf("%d rows, want %d", n, 3*731)
		}
	})
	t.Run("a failure after the first rows breaks the transfer off", func(t *testing.T) {
		counter.reset(nil)
		counter.reset(func(i int) error {
			if i == 2 {
				return athar.Errorf(athar.EUNAVAILABLE, "the database cannot be reached")
			}
			return nil
		})
		defer counter.reset(nil)
		resp, err := http.Get(url + "/export/attacks.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil {
			t.Fatalf("the export read to its end (%d bytes) though its third page failed: it must not look whole", len(body))
		}
		if n := bytes.Count(body, []byte("\n")); resp.StatusCode != http.StatusOK || n < 2*pageSize || n > 2*pageSize+1 {
			t.Errorf("%d with %d lines before the break, want 200 and the two pages read", resp.StatusCode, n)
		}
	})
	t.Run("a failure before the first row is a status", func(t *testing.T) {
		counter.reset(nil)
		counter.reset(func(int) error { return athar.Errorf(athar.EUNAVAILABLE, "the database cannot be reached") })
		defer counter.reset(nil)
		resp, body := MustGet(t, url+"/export/attacks.geojson", nil)
		if resp.StatusCode != http.StatusServiceUnavailable || !json.Valid(body) {
			t.Errorf("%d %s, want 503 with a JSON body", resp.StatusCode, body)
		}
	})
	t.Run("CSV for Excel", func(t *testing.T) {
		resp, body := MustGet(t, url+"/export/attacks.csv?excel=true&from=2000-01-01&to=2000-01-01", nil)
		rest, ok := bytes.CutPrefix(body, []byte("\xef\xbb\xbf"))
		if resp.StatusCode != http.StatusOK || !ok {
			t.Fatalf("%d %q: want the UTF-8 byte-order mark first", resp.StatusCode, body[:min(len(body), 20)])
		}
		lines := strings.SplitAfter(strings.TrimSuffix(string(rest), "\r\n"), "\r\n")
		if len(lines) != 4 || strings.Count(string(rest), "\n") != 4 || !strings.HasPrefix(lines[1], "attack:bulk-00000,مدرسة 0,") {
			t.Errorf("want a header and three records, each ending in CRLF: %q", rest)
		}
	})
}

func TestExport_RefusesWhatItDoesNotKnow(t *testing.T) {
	store := MustStore(t, false)
	url := MustServer(t, store, nil)
	for _, c := range []struct {
		path, param, mentions string
	}{
		{"attacks.csv?facilityTypes=SCHOOL", "facilityTypes", "did you mean facilityType?"},
		{"attacks.csv?facilityType=SCHOOL&placeid=place:aleppo", "placeid", "did you mean placeId?"},
		{"attacks.csv?format=excel", "format", "known: from, to, near, minKilled, text, withdrawn, facilityId"},
		{"attacks.geojson?excel=true", "excel", "is not a parameter of this export"},
		{"attacks.csv?excel=maybe", "excel", "true or false"},
		{"attacks.csv?from=2014-01-01&from=2015-01-01", "from", "give it once"},
		{"attacks.csv?minKilled=3000000000", "minKilled", "1000000"},
		{"attacks.csv?minKilled=99999999999999999999", "minKilled", "whole number"},
		{"attacks.csv?from=9999-01-01", "from", "the year 9999"},
		{"attacks.csv?to=1899-12-31", "to", "the year 1899"},
		{"attacks.geojson?near=NaN,37,10", "near", "three numbers"},
		{"attacks.geojson?near=36,37,Inf", "near", "three numbers"},
		{"attacks.csv?facilityId=" + strings.Repeat("facility:a,", athar.MaxFilterValues+1), "facilityId", "at most 100 values"},
		{"attacks.csv?weapon=" + strings.Repeat("SPOON,", 5000), "weapon", "at most 100 values"},
		// Read in part, these would widen the export to everything.
		{"attacks.csv?facilityId=facility:a&x=%zz", "", "not well formed"},
		{"attacks.csv?facilityId=facility:a;placeId=place:b", "", "not well formed"},
		{"attacks.csv?" + strings.Repeat("facilityId=facility:a&", 10_001), "", "not well formed"},
	} {
		resp, body := MustGet(t, url+"/export/"+c.path, nil)
		var problem struct{ Error, Parameter string }
		if err := json.Unmarshal(body, &problem); err != nil || resp.StatusCode != http.StatusBadRequest ||
			problem.Parameter != c.param || !strings.Contains(problem.Error, c.mentions) {
			t.Errorf("%s: %d %s, want 400 naming %s and saying %q", c.path, resp.StatusCode, body, c.param, c.mentions)
		}
	}
	t.Run("the answer does not grow with the query", func(t *testing.T) {
		var q strings.Builder
		for i := range 500 {
			fmt.Fprintf(&q, "%s%d=1&", strings.Repeat("p", 100), i)
		}
		resp, body := MustGet(t, url+"/export/attacks.csv?"+q.String(), nil)
		var problem struct {
			Parameter string
			Problems  []struct{ Parameter, Error string }
		}
		if err := json.Unmarshal(body, &problem); err != nil || resp.StatusCode != http.StatusBadRequest || len(problem.Problems) != 10 ||
			len(problem.Parameter) > 70 || !strings.HasSuffix(problem.Parameter, "…") {
			t.Errorf("%d, %d bytes naming %d parameters (%q): want 400 naming the first 10, each cut short", resp.StatusCode, len(body), len(problem.Problems), problem.Parameter)
		}
	})
	t.Run("every parameter at fault is listed", func(t *testing.T) {
		resp, body := MustGet(t, url+"/export/attacks.csv?weapons=SPOON&from=9999-01-01", nil)
		var problem struct {
			Parameter string
			Problems  []struct{ Parameter, Error string }
		}
		if err := json.Unmarshal(body, &problem); err != nil || resp.StatusCode != http.StatusBadRequest ||
			problem.Parameter != "weapons" || len(problem.Problems) != 0 {
			t.Errorf("%d %s: want the unknown parameter first", resp.StatusCode, body)
		}
		resp, body = MustGet(t, url+"/export/attacks.csv?from=9999-01-01&to=1000-01-01", nil)
		if err := json.Unmarshal(body, &problem); err != nil || resp.StatusCode != http.StatusBadRequest ||
			len(problem.Problems) != 2 || problem.Problems[0].Parameter != "from" || problem.Problems[1].Parameter != "to" {
			t.Errorf("%d %s: want from and to each named", resp.StatusCode, body)
		}
	})
}

// BenchmarkExport_CSV streams an export of bulkAttacks attacks over HTTP, a page of the default
// size at a time, and reports attacks per second.
func BenchmarkExport_CSV(b *testing.B) {
	store := MustStore(b, false)
	MustBulkAttacks(b, store, bulkAttacks)
	url := MustServer(b, store, nil)
	rows := 0
	for b.Loop() {
		resp, err := http.Get(url + "/export/attacks.csv")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || n == 0 {
			b.Fatalf("%d, %v", resp.StatusCode, err)
		}
		rows += bulkAttacks
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "attacks/s")
}

package formats_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"testing"

	"github.com/athar-project/athar/internal/formats"
)

// manyRows returns a sample file grown to n data rows: its rows repeated, each with an id of its
// own (column idCol), as a release of a whole country holds them (UCDP GED's Syria has about
// 16,000 events for 2016-2019).
func manyRows(tb testing.TB, file, idCol string, n int) []byte {
	tb.Helper()
	f, err := os.Open(sample(file))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	id := -1
	for i, h := range rows[0] {
		if h == idCol {
			id = i
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(rows[0])
	for i := 0; i < n; i++ {
		rec := append([]string(nil), rows[1+i%(len(rows)-1)]...)
		rec[id] = fmt.Sprintf("%s%d", rec[id][:3], 1_000_000+i)
		if idCol == "id" {
			rec[id] = fmt.Sprint(1_000_000 + i)
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

func benchmarkRead(b *testing.B, format, file, idCol string) {
	data := manyRows(b, file, idCol, 16_000)
	f, err := formats.Lookup(format)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu0 := cpuTime()
	var records, rows int
	for i := 0; i < b.N; i++ {
		res, err := f.Read(bytes.NewReader(data), formats.Options{})
		if err != nil {
			b.Fatal(err)
		}
		records += len(res.Bundle.Records)
		rows += res.Rows
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(rows)/s, "rows/s")
	b.ReportMetric(float64(records)/s, "records/s")
	b.ReportMetric(float64(records)/float64(b.N), "records/op")
	if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
		// CPU time, the garbage collector's included: the rate on a core of its own.
		b.ReportMetric(float64(records)/cpu, "records/cpu-s")
	}
}

// BenchmarkReadUCDPGED reads a UCDP GED file of 16,000 events into its records.
func BenchmarkReadUCDPGED(b *testing.B) { benchmarkRead(b, "ucdp-ged", "ucdp-ged-sample.csv", "id") }

// BenchmarkReadACLED reads an ACLED file of 16,000 rows into its records.
func BenchmarkReadACLED(b *testing.B) {
	benchmarkRead(b, "acled", "acled-sample.csv", "event_id_cnty")
}

package athar_test

import (
	"bytes"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/bench"
)

// BenchmarkReadBundle reads a tenth of athar bench's synthetic graph (57,700 records) in each form
// and reports records/s: what reading a file field by field (every problem at its path) costs
// before an import writes anything.
func BenchmarkReadBundle(b *testing.B) {
	g := bench.Generate(bench.DefaultSize.Scaled(0.1), 1)
	for _, form := range []struct {
		name   string
		ndjson bool
	}{{"json", false}, {"ndjson", true}} {
		var buf bytes.Buffer
		if err := g.Write(&buf, form.ndjson); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(form.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				got, err := athar.ReadBundle(bytes.NewReader(data))
				if err != nil || len(got.Records) != len(g.Records) {
					b.Fatalf("read %d records of %d: %v", len(got.Records), len(g.Records), err)
				}
			}
			b.ReportMetric(float64(len(g.Records))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// Package metricstest reads Prometheus metrics the way a scraper does, for the tests of the code
// that moves them: Scrape fetches and parses a /metrics answer, Value picks one sample.
package metricstest

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families are the metric families of one scrape, by name.
type Families map[string]*dto.MetricFamily

// Scrape GETs url (a /metrics endpoint), fails the test unless it answers 200 in Prometheus' text
// exposition format, and returns what it exposes.
func Scrape(tb testing.TB, url string) Families {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s = %d, want 200", url, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		tb.Fatalf("GET %s: Content-Type %q is not Prometheus' text format", url, ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: not Prometheus' text format: %v", url, err)
	}
	return fams
}

// Value returns the value of the sample of family name whose labels include labels (a counter's or
// gauge's value, a histogram's sample count), summed over every sample that matches; 0 when none
// does, as a counter that has not moved yet reads.
func (f Families) Value(name string, labels map[string]string) float64 {
	fam, ok := f[name]
	if !ok {
		return 0
	}
	var sum float64
	for _, m := range fam.GetMetric() {
		if !matches(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum
}

// LabelValues returns every value label takes in family name.
func (f Families) LabelValues(name, label string) []string {
	var out []string
	if fam, ok := f[name]; ok {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					out = append(out, l.GetValue())
				}
			}
		}
	}
	return out
}

func matches(m *dto.Metric, labels map[string]string) bool {
	for k, v := range labels {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == k && l.GetValue() == v {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Parse parses data in Prometheus' text exposition format (a file WriteImportFile wrote), failing
// the test when it is not.
func Parse(tb testing.TB, data []byte) Families {
	tb.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("not Prometheus' text format: %v", err)
	}
	return fams
}

package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/logtest"

	"github.com/athar-project/athar/internal/metrics/metricstest"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// MustServe runs `athar serve` with args against the test binary's Neo4j until the test ends,
// waits until addr answers /readyz, and returns what it logged so far.
func MustServe(t *testing.T, addr string, args ...string) *logtest.Buffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &logtest.Buffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, append(append([]string{"serve", "--addr", addr, "--seed=false"}, dbArgs(t)...), args...), io.Discard, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exit:
			if code != 0 {
				t.Errorf("serve exited with %d on shutdown: %s", code, stderr.String())
			}
		case <-time.After(time.Minute):
			t.Error("serve did not stop")
		}
	})
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	base := browseURL(tcp)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stderr
			}
		}
		select {
		case code := <-exit:
			exit <- code
			t.Fatalf("serve exited with %d before it was ready: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServe_Metrics(t *testing.T) {
	t.Run("on the main listener by default, with the URL to open logged", func(t *testing.T) {
		addr := freeAddr(t)
		logged := MustServe(t, addr, "--log-level", "info")
		fams := metricstest.Scrape(t, "http://"+addr+"/metrics")
		if _, ok := fams["athar_http_requests_total"]; !ok {
			t.Errorf("/metrics on %s lacks athar_http_requests_total", addr)
		}
		if want := "url=http://" + addr + "/"; !strings.Contains(logged.String(), want) {
			t.Errorf("start-up log lacks %s:\n%s", want, logged.String())
		}
	})
	t.Run("only on ATHAR_METRICS_ADDR when it is set", func(t *testing.T) {
		addr, metricsAddr := freeAddr(t), freeAddr(t)
		t.Setenv("ATHAR_METRICS_ADDR", metricsAddr)
		MustServe(t, addr)
		if got := status(t, "http://"+addr+"/metrics"); got != http.StatusNotFound {
			t.Errorf("/metrics on the main listener = %d, want 404", got)
		}
		before := metricstest.Scrape(t, "http://"+metricsAddr+"/metrics")
		status(t, "http://"+addr+"/healthz")
		after := metricstest.Scrape(t, "http://"+metricsAddr+"/metrics")
		l := map[string]string{"route": "/healthz", "status": "200"}
		if got := after.Value("athar_http_requests_total", l) - before.Value("athar_http_requests_total", l); got < 1 {
			t.Errorf("a request to the main listener moved the metrics listener's counter by %v", got)
		}
	})
	t.Run("nowhere with ATHAR_METRICS=false", func(t *testing.T) {
		addr := freeAddr(t)
		t.Setenv("ATHAR_METRICS", "false")
		MustServe(t, addr)
		if got := status(t, "http://"+addr+"/metrics"); got != http.StatusNotFound {
			t.Errorf("/metrics = %d with ATHAR_METRICS=false, want 404", got)
		}
	})
	t.Run("the same address for both is refused", func(t *testing.T) {
		addr := freeAddr(t)
		var stderr bytes.Buffer
		code := run(context.Background(), append([]string{"serve", "--addr", addr, "--metrics-addr", addr, "--seed=false"}, dbArgs(t)...), io.Discard, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "--metrics-addr") {
			t.Errorf("exit %d, %q; want 1 naming --metrics-addr", code, stderr.String())
		}
	})
}

// The start-up log gives a URL a browser can open: a listener on every address is reached at
// 127.0.0.1 (which the host check always allows), never at http://[::]:8080/.
func TestBrowseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080",
		"[::]:8080":      "http://127.0.0.1:8080",
		":8080":          "http://127.0.0.1:8080",
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"[::1]:8093":     "http://[::1]:8093",
		"192.0.2.7:80":   "http://192.0.2.7:80",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := browseURL(a); got != want {
			t.Errorf("browseURL(%s) = %s, want %s", addr, got, want)
		}
	}
}

func TestImport_MetricsFile(t *testing.T) {
	neo4jtest.Wipe(t)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.ndjson"), filepath.Join(dir, "bad.json")
	_ = os.WriteFile(good, []byte(`{"format":"athar-bundle","version":1}
{"record":"place","id":"place:aleppo","name":"Aleppo","kind":"CITY"}
`), 0o644)
	_ = os.WriteFile(bad, []byte(`{"format":"athar-bundle","version":1,"places":[{"id":"place:x","name":"","kind":"PLANET"}]}`), 0o644)
	prom := filepath.Join(dir, "athar_import.prom")
	read := func() metricstest.Families {
		t.Helper()
		data, err := os.ReadFile(prom)
		if err != nil {
			t.Fatal(err)
		}
		return metricstest.Parse(t, data)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append(append([]string{"import", "--metrics-file", prom}, dbArgs(t)...), good), &out, &errOut); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut.String())
	}
	first := read()
	if got := first.Value("athar_import_records_total", map[string]string{"outcome": "created"}); got < 1 {
		t.Errorf("created records after importing one = %v", got)
	}
	t.Setenv("ATHAR_METRICS_FILE", prom)
	if code := run(context.Background(), append(append([]string{"import"}, dbArgs(t)...), bad), &out, &errOut); code != 1 {
		t.Fatalf("invalid import exited %d, want 1", code)
	}
	second := read()
	invalid := map[string]string{"reason": "invalid"}
	if got := second.Value("athar_import_failures_total", invalid) - first.Value("athar_import_failures_total", invalid); got != 1 {
		t.Errorf("invalid imports moved by %v, want 1", got)
	}
	if got := second.Value("athar_import_problems_total", nil) - first.Value("athar_import_problems_total", nil); got != 2 {
		t.Errorf("problems moved by %v, want 2 (name and kind)", got)
	}
}

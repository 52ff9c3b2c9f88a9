package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/neo4jtest"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

// dbArgs points a command at the test binary's Neo4j.
func dbArgs(t *testing.T) []string {
	t.Helper()
	t.Setenv("NEO4J_PASSWORD", neo4jtest.Password)
	return []string{"--neo4j-uri", neo4jtest.URI, "--neo4j-user", neo4jtest.User, "--log-level", "warn"}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestServe_SeedsServesAndShutsDown(t *testing.T) {
	neo4jtest.Wipe(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	exit := make(chan int, 1)
	go func() { exit <- run(ctx, append([]string{"serve", "--addr", addr}, dbArgs(t)...), io.Discard, &stderr) }()

	base := "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d before it was ready: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	t.Run("the seed is loaded into the empty database", func(t *testing.T) {
		body := strings.NewReader(`{"query":"{ facility(id: \"facility:ain-jalout-school\") { name attacks { nodes { id } } } }"}`)
		resp, err := http.Post(base+"/graphql", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data struct {
				Facility *struct {
					Name    string
					Attacks struct{ Nodes []struct{ ID string } }
				}
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if out.Data.Facility == nil || len(out.Data.Facility.Attacks.Nodes) != 3 {
			t.Errorf("Ain Jalout = %+v, want its 3 attacks", out.Data.Facility)
		}
	})
	t.Run("the playground is served without a CDN", func(t *testing.T) {
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(page), "graphiql") || strings.Contains(string(page), "https://") {
			t.Errorf("playground: %d %.200s", resp.StatusCode, page)
		}
	})

	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("serve exited with %d on shutdown: %s", code, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop")
	}
}

func TestImportExport_CLI(t *testing.T) {
	neo4jtest.Wipe(t)
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.ndjson")
	if err := os.WriteFile(bundle, []byte(`{"format":"athar-bundle","version":1}
{"record":"place","id":"place:aleppo","name":"Aleppo","kind":"CITY"}
{"record":"facility","id":"facility:school","name":"School","type":"SCHOOL","placeId":"place:aleppo"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if code := run(ctx, append(append([]string{"import"}, dbArgs(t)...), bundle), &out, &errOut); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "total             2        0          0") {
		t.Errorf("first import summary:\n%s", out.String())
	}
	out.Reset()
	if code := run(ctx, append(append([]string{"import"}, dbArgs(t)...), bundle), &out, &errOut); code != 0 {
		t.Fatalf("second import exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "total             0        0          2") {
		t.Errorf("second import summary:\n%s", out.String())
	}

	t.Run("an invalid file reports every problem and writes nothing", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.json")
		_ = os.WriteFile(bad, []byte(`{"format":"athar-bundle","version":1,"places":[{"id":"place:x","name":"","kind":"CITY"},{"id":"place:y","name":"Y","kind":"PLANET"}]}`), 0o644)
		var o, e bytes.Buffer
		if code := run(ctx, append(append([]string{"import"}, dbArgs(t)...), bad), &o, &e); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(e.String(), "places[0].name") || !strings.Contains(e.String(), "places[1].kind") {
			t.Errorf("problems not reported with their place:\n%s", e.String())
		}
		if n := neo4jtest.Count(t, "MATCH (p:Place) RETURN count(p) AS n", nil); n != 1 {
			t.Errorf("%d places after the failed import, want 1", n)
		}
	})

	t.Run("export writes what import reads", func(t *testing.T) {
		file := filepath.Join(dir, "export.json")
		var e bytes.Buffer
		if code := run(ctx, append([]string{"export", "--out", file}, dbArgs(t)...), io.Discard, &e); code != 0 {
			t.Fatalf("export exited %d: %s", code, e.String())
		}
		data, _ := os.ReadFile(file)
		if !strings.Contains(string(data), `"facility:school"`) || !strings.Contains(string(data), `"placeId": "place:aleppo"`) {
			t.Errorf("export:\n%s", data)
		}
		var o bytes.Buffer
		if code := run(ctx, append(append([]string{"import"}, dbArgs(t)...), file), &o, &e); code != 0 {
			t.Fatalf("re-import exited %d: %s", code, e.String())
		}
		if !strings.Contains(o.String(), "total             0        0          2") {
			t.Errorf("re-importing the export changed something:\n%s", o.String())
		}
	})
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--help"}, &out, &errOut); code != 0 {
		t.Errorf("serve --help exited %d", code)
	}
	for _, name := range []string{"ATHAR_ADDR", "ATHAR_DATA_DIR", "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "ATHAR_PLAYGROUND"} {
		if !strings.Contains(errOut.String(), name) {
			t.Errorf("serve --help does not mention %s", name)
		}
	}
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errOut); code != 2 {
		t.Errorf("unknown command exited %d, want 2", code)
	}
}

// Commands that only read a database refuse a --data-dir that holds none, rather than starting an
// empty Neo4j there and reporting on nothing.
func TestReadingCommands_NeedAnExistingDatabase(t *testing.T) {
	t.Setenv("NEO4J_URI", "")
	for _, args := range [][]string{{"export"}, {"migrate", "--status"}} {
		dir := filepath.Join(t.TempDir(), "nothing-here")
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(args, "--data-dir", dir, "--log-level", "warn"), &out, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), "no Athar database") {
			t.Errorf("%v: exit %d, %q", args, code, errOut.String())
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%v created %s", args, dir)
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"export", "stray"}, &out, &errOut); code != 2 {
		t.Errorf("export with a stray argument exited %d, want 2", code)
	}
}

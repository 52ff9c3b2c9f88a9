package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/logtest"
)

// until polls cond until it holds, failing the test after the generous limit instead of hanging.
func until(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type graphQLAnswer struct {
	Data struct {
		Facility *struct{ Name string }
	}
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// The embedded Neo4j killed under a running athar serve: the exit is logged with its status,
// /readyz answers 503 and queries fail at once with SERVICE_UNAVAILABLE while it restarts, then
// /readyz answers 200 and the same queries answer again, through the same driver.
func TestServe_RecoversFromAKilledNeo4j(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr logtest.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve", "--addr", addr, "--data-dir", t.TempDir(), "--neo4j-heap", "512m", "--neo4j-pagecache", "32m",
			"--neo4j-restart-backoff", "100ms", "--log-level", "info"}, &bytes.Buffer{}, &stderr)
	}()
	base := "http://" + addr
	client := &http.Client{Timeout: time.Minute}
	status := func(path string) int {
		resp, err := client.Get(base + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ask := func() graphQLAnswer {
		t.Helper()
		resp, err := client.Post(base+"/graphql", "application/json",
			strings.NewReader(`{"query":"{ facility(id: \"facility:ain-jalout-school\") { name } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out graphQLAnswer
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	until(t, "serve ready", 4*time.Minute, func() bool {
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
		return status("/readyz") == http.StatusOK
	})
	if a := ask(); a.Data.Facility == nil {
		t.Fatalf("before the kill: %+v", a)
	}

	m := regexp.MustCompile(`embedded Neo4j ready.*pid=(\d+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no pid in the log:\n%s", stderr.String())
	}
	pid, _ := strconv.Atoi(m[1])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	until(t, "the exit logged", 30*time.Second, func() bool { return strings.Contains(stderr.String(), "exited unexpectedly") })
	if !strings.Contains(stderr.String(), "signal: killed") {
		t.Errorf("the exit is logged without its status:\n%s", stderr.String())
	}
	// The supervisor marks Neo4j down before it logs the exit, and a restart takes seconds (a JVM
	// start and Neo4j's recovery): readiness and queries say so meanwhile.
	if s := status("/readyz"); s != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d while Neo4j restarts, want 503", s)
	}
	if s := status("/healthz"); s != http.StatusOK {
		t.Errorf("/healthz = %d while Neo4j restarts, want 200: the process serves again once it is back", s)
	}
	a := ask()
	if len(a.Errors) == 0 || a.Errors[0].Extensions["code"] != "SERVICE_UNAVAILABLE" || !strings.Contains(a.Errors[0].Message, "restart") {
		t.Errorf("a query while Neo4j restarts: %+v, want SERVICE_UNAVAILABLE saying it restarts", a)
	} else if _, ok := a.Errors[0].Extensions["retryAfter"]; !ok {
		t.Errorf("no retryAfter in %+v", a.Errors[0])
	}

	until(t, "ready again", 4*time.Minute, func() bool { return status("/readyz") == http.StatusOK })
	if a := ask(); a.Data.Facility == nil || len(a.Errors) > 0 {
		t.Errorf("after the restart: %+v", a)
	}

	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("serve exited with %d on shutdown: %s", code, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not stop")
	}
}

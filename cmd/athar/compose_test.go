package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

// composeFile is the part of docker-compose.yml these checks read.
type composeFile struct {
	Services map[string]struct {
		Environment     map[string]string `yaml:"environment"`
		Ports           []string          `yaml:"ports"`
		StopGracePeriod string            `yaml:"stop_grace_period"`
	} `yaml:"services"`
}

// TestCompose_AsShipped checks what docker-compose.yml promises in the README: Neo4j publishes no
// port, Athar only on 127.0.0.1, Compose waits longer than Athar's shutdown (its own default is
// 10 s), a shutdown waits as long as a request may take, and the host check is on.
func TestCompose_AsShipped(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	neo4j, athar := c.Services["neo4j"], c.Services["athar"]
	if len(neo4j.Ports) > 0 {
		t.Errorf("Neo4j publishes %v; Athar reaches it over the compose network", neo4j.Ports)
	}
	if len(athar.Ports) == 0 {
		t.Error("Athar publishes no port")
	}
	for _, p := range athar.Ports {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("Athar publishes %q beyond 127.0.0.1", p)
		}
		if strings.HasSuffix(p, ":9090") {
			t.Errorf("the metrics port is published: %q", p)
		}
	}
	duration := func(name, s string) time.Duration {
		t.Helper()
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return d
	}
	grace := duration("stop_grace_period", athar.StopGracePeriod)
	shutdown := duration("ATHAR_SHUTDOWN_TIMEOUT", athar.Environment["ATHAR_SHUTDOWN_TIMEOUT"])
	query := duration("ATHAR_QUERY_TIMEOUT", athar.Environment["ATHAR_QUERY_TIMEOUT"])
	if grace <= shutdown {
		t.Errorf("stop_grace_period %v does not exceed ATHAR_SHUTDOWN_TIMEOUT %v: Compose would kill Athar mid-request", grace, shutdown)
	}
	if shutdown < query {
		t.Errorf("ATHAR_SHUTDOWN_TIMEOUT %v is shorter than ATHAR_QUERY_TIMEOUT %v", shutdown, query)
	}
	if hosts := athar.Environment["ATHAR_ALLOWED_HOSTS"]; !strings.Contains(hosts, ":-") || strings.HasSuffix(hosts, ":-}") {
		t.Errorf("ATHAR_ALLOWED_HOSTS %q has no default: on 0.0.0.0 the host check would be off", hosts)
	}
	if athar.Environment["ATHAR_METRICS_ADDR"] == "" {
		t.Error("/metrics is on the port a reverse proxy forwards")
	}
}

// As in the container: Athar on 0.0.0.0 with a reverse proxy's name in ATHAR_ALLOWED_HOSTS. The
// health check, which addresses 127.0.0.1, must still pass (it got 421, and the container turned
// unhealthy), while a name nobody configured is still refused.
func TestHealthcheck_WithAProxyName(t *testing.T) {
	_, port, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	addr := "0.0.0.0:" + port
	t.Setenv("ATHAR_ALLOWED_HOSTS", "athar.example.org")
	MustServe(t, addr)
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "--addr", addr}, io.Discard, &stderr); code != 0 {
		t.Errorf("athar healthcheck exited %d: %s", code, stderr.String())
	}
	for host, want := range map[string]int{"athar.example.org": 200, "attacker.example": 421} {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

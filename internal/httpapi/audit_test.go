package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// auditDir returns tools/graphql-http-audit/ of this source tree: the npm project that runs the
// graphql-http package's server audits.
func auditDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "tools", "graphql-http-audit")
}

// MustAuditTool installs the audit tool's npm packages from its package-lock.json (npm ci) unless
// the locked graphql-http is installed already, and returns the tool's directory.
func MustAuditTool(tb testing.TB) string {
	tb.Helper()
	dir := auditDir()
	for _, cmd := range []string{"node", "npm"} {
		if _, err := exec.LookPath(cmd); err != nil {
			tb.Fatalf("the GraphQL-over-HTTP audit needs %s on the PATH (see the README's Test it): %v", cmd, err)
		}
	}
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, &lock); err != nil {
		tb.Fatalf("package-lock.json: %v", err)
	}
	want := lock.Packages["node_modules/graphql-http"].Version
	var installed struct{ Version string }
	if raw, err := os.ReadFile(filepath.Join(dir, "node_modules", "graphql-http", "package.json")); err == nil {
		_ = json.Unmarshal(raw, &installed)
	}
	if want == "" || installed.Version != want {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	return dir
}

// auditResult is one audit's outcome as audit.mjs prints it.
type auditResult struct {
	ID, Name, Status, Reason string
}

// The graphql-http package's server audits, run against the real endpoint over the real database:
// every MUST and every SHOULD of the GraphQL-over-HTTP specification passes. (MAYs are reported
// in the log only.) Introspection is on, as by default: the audits of variables query __type.
func TestGraphQLOverHTTP_Audit(t *testing.T) {
	dir := MustAuditTool(t)
	url := MustServer(t, MustStore(t, false), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "audit.mjs", url+"/graphql")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node audit.mjs: %v\n%s", err, stderr.Bytes())
	}
	var results []auditResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("audit output: %v\n%s", err, out)
	}
	if len(results) < 30 {
		t.Fatalf("only %d audits ran", len(results))
	}
	passed := 0
	for _, r := range results {
		switch r.Status {
		case "ok":
			passed++
		case "error", "warn":
			t.Errorf("%s (%s): %s", r.Name, r.ID, r.Reason)
		default:
			t.Logf("%s (%s): %s", r.Name, r.ID, r.Reason)
		}
	}
	t.Logf("%d of %d audits passed", passed, len(results))
}

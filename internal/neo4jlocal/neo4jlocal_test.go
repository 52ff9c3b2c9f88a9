package neo4jlocal_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/neo4jlocal"
)

func options(dataDir string) neo4jlocal.Options {
	_, file, _, _ := runtime.Caller(0)
	return neo4jlocal.Options{
		ProjectDir: filepath.Join(filepath.Dir(file), "..", "..", "neo4j-embedded"),
		DataDir:    dataDir, Heap: "512m", PageCache: "32m",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func mustStart(t *testing.T, dataDir string) *neo4jlocal.Instance {
	t.Helper()
	inst, err := neo4jlocal.Start(context.Background(), options(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func mustRun(t *testing.T, inst *neo4jlocal.Instance, query string) []*neo4j.Record {
	t.Helper()
	ctx := context.Background()
	d, err := neo4j.NewDriverWithContext(inst.URI, neo4j.BasicAuth(inst.User, inst.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	res, err := neo4j.ExecuteQuery(ctx, d, query, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("neo4j"))
	if err != nil {
		t.Fatal(err)
	}
	return res.Records
}

func TestEmbedded_KeepsDataAndLeavesNoProcess(t *testing.T) {
	dir := t.TempDir()
	first := mustStart(t, dir)
	if !strings.HasPrefix(first.URI, "bolt://127.0.0.1:") {
		t.Errorf("URI %q: Bolt must listen on 127.0.0.1 only", first.URI)
	}
	mustRun(t, first, "CREATE (:Kept {n: 42})")

	t.Run("a second instance on the same data says why it cannot start", func(t *testing.T) {
		_, err := neo4jlocal.Start(context.Background(), options(dir))
		if err == nil || !strings.Contains(err.Error(), "failed to start") {
			t.Errorf("err = %v, want a clear failure", err)
		}
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		d, _ := neo4j.NewDriverWithContext(first.URI, neo4j.BasicAuth("neo4j", "not-the-password", ""))
		defer d.Close(context.Background())
		if err := d.VerifyConnectivity(context.Background()); err == nil {
			t.Error("connected with a wrong password")
		}
	})

	if err := first.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
	select {
	case <-first.Exited():
	default:
		t.Fatal("Stop returned but the JVM is still running")
	}

	second := mustStart(t, dir)
	defer second.Stop(context.Background())
	recs := mustRun(t, second, "MATCH (k:Kept) RETURN k.n AS n")
	if len(recs) != 1 {
		t.Fatalf("after a restart: %d nodes, want the one written before", len(recs))
	}
	if first.Password == second.Password {
		t.Error("the password did not change between starts")
	}
}

// A parent that dies without stopping Neo4j must not leave the JVM behind: the launcher stops when
// its standard input closes.
func TestEmbedded_StopsWhenTheParentGoes(t *testing.T) {
	inst := mustStart(t, t.TempDir())
	defer inst.Stop(context.Background())
	pid := inst.PID()
	if err := inst.CloseInput(); err != nil {
		t.Fatal(err)
	}
	<-inst.Exited()
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("process %d still runs after its input closed", pid)
	}
}

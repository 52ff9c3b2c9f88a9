// Package neo4jlocal runs the embedded Neo4j: the launcher in neo4j-embedded/, a small Java program
// that runs the real Neo4j Community 5.26 engine on 127.0.0.1 with Bolt. It builds the launcher
// with Maven the first time, starts it as a child process, waits until Bolt answers, and stops it.
// `athar serve` uses it when no NEO4J_URI is given, and so do the integration tests.
package neo4jlocal

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Options say where the launcher is, where the data goes and how much memory the JVM may use, and
// how a Supervisor restarts it.
type Options struct {
	ProjectDir   string        // the neo4j-embedded/ Maven project; found from the working directory when empty
	DataDir      string        // where the database keeps its files (kept across restarts)
	Port         int           // the Bolt port on 127.0.0.1; 0 picks a free one
	Password     string        // the password of the user neo4j; a random one when empty
	Heap         string        // the JVM's maximum heap (-Xmx), default 1g
	PageCache    string        // Neo4j's page cache, default 256m
	StartTimeout time.Duration // how long to wait for Bolt, default 3 minutes
	Logger       *slog.Logger

	// Restarts is how many times in a row a Supervisor tries to restart Neo4j after it exited
	// unexpectedly before it gives up (0: default 5; negative: never). The count starts again once
	// Neo4j has run for RestartBackoffMax after a restart.
	Restarts int
	// RestartBackoff is the pause before the first restart (default 1 s); each further attempt
	// doubles it, up to RestartBackoffMax (default 30 s).
	RestartBackoff    time.Duration
	RestartBackoffMax time.Duration
	// OnRestart, when set, is called after each successful restart (for a metric of restarts).
	OnRestart func()
}

// Instance is a running embedded Neo4j.
type Instance struct {
	URI      string
	User     string
	Password string

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{}
	err    error // the process's exit status, once exited is closed
	logger *slog.Logger
	once   sync.Once
	output *tailWriter // the last of what the JVM wrote to stdout and stderr
	logDir string
}

const (
	readyPrefix  = "ATHAR_NEO4J_READY "
	failedPrefix = "ATHAR_NEO4J_FAILED "
	jarName      = "athar-neo4j-embedded.jar"
)

// ErrNoJava is returned when Java or Maven, which the embedded Neo4j needs, is missing.
var ErrNoJava = errors.New("the embedded Neo4j needs Java 17+ and Maven on the PATH; " +
	"install them, or point Athar at an existing Neo4j 5.26 with NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD")

// FindProjectDir looks for neo4j-embedded/pom.xml in dir and its parents.
func FindProjectDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "neo4j-embedded")
		if _, err := os.Stat(filepath.Join(candidate, "pom.xml")); err == nil {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("neo4j-embedded/pom.xml not found in %s or any parent: run Athar from its source tree, "+
				"set ATHAR_EMBEDDED_DIR, or point it at an existing Neo4j with NEO4J_URI", abs)
		}
	}
}

// Start builds the launcher if needed, starts it, and waits until Neo4j answers on Bolt.
func Start(ctx context.Context, opts Options) (*Instance, error) {
	opts.defaults()
	if opts.ProjectDir == "" {
		dir, err := FindProjectDir(".")
		if err != nil {
			return nil, err
		}
		opts.ProjectDir = dir
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, ErrNoJava
	}
	if err := Build(ctx, opts.ProjectDir, opts.Logger); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	password := opts.Password
	if password == "" {
		if password, err = randomPassword(); err != nil {
			return nil, err
		}
	}
	target := filepath.Join(opts.ProjectDir, "target")
	// -jar, not -cp: the jar's manifest holds the class path and the --add-opens flags Neo4j needs
	// for its fast paths and to preallocate its transaction logs.
	cmd := exec.Command(java, "-Xmx"+opts.Heap, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
		"-jar", filepath.Join(target, jarName),
		"--data-dir", dataDir, "--port", fmt.Sprint(opts.Port), "--pagecache", opts.PageCache)
	// The password goes through the environment, never the command line, which other users can read.
	cmd.Env = append(os.Environ(), "ATHAR_NEO4J_PASSWORD="+password)
	// Its own process group: a Ctrl-C in the terminal reaches Athar, which stops Neo4j in order
	// after the requests in flight, instead of reaching both at once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// The launcher logs to files in the data directory; what reaches stderr and stdout besides the
	// protocol line is the JVM's own complaint: a Java too old, or "Terminating due to
	// java.lang.OutOfMemoryError" when it dies. The last of it is kept for the error message and
	// for the log line of an unexpected exit.
	stderr := &tailWriter{max: 4096}
	cmd.Stderr = stderr
	started := time.Now()
	opts.Logger.Info("starting the embedded Neo4j", "data_dir", dataDir)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the embedded Neo4j: %w", err)
	}
	inst := &Instance{User: "neo4j", Password: password, cmd: cmd, stdin: stdin, exited: make(chan struct{}), logger: opts.Logger,
		output: stderr, logDir: filepath.Join(dataDir, "logs")}
	go func() {
		inst.err = cmd.Wait()
		close(inst.exited)
	}()

	// Lines go to the loop below until Start returns; the rest of stdout is kept in the output's
	// tail, and read so that the launcher never blocks on a full pipe.
	lines, startDone := make(chan string), make(chan struct{})
	defer close(startDone)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-startDone:
				_, _ = stderr.Write(append(sc.Bytes(), '\n'))
			}
		}
		close(lines)
	}()
	timeout := time.NewTimer(opts.StartTimeout)
	defer timeout.Stop()
	logHint := filepath.Join(dataDir, "logs")
	for inst.URI == "" {
		select {
		case line, ok := <-lines:
			switch {
			case !ok:
				<-inst.exited
				return nil, fmt.Errorf("the embedded Neo4j exited before it was ready (%v); see the logs in %s%s", inst.err, logHint, stderr.String())
			case strings.HasPrefix(line, readyPrefix):
				inst.URI = strings.TrimSpace(strings.TrimPrefix(line, readyPrefix))
			case strings.HasPrefix(line, failedPrefix):
				_ = inst.Stop(context.Background())
				reason := strings.TrimPrefix(line, failedPrefix)
				if strings.Contains(reason, "FileLock") || strings.Contains(reason, "lock") {
					reason += "; is another Athar (athar serve, import or export) using " + dataDir + "? Stop it, or point both at one Neo4j with NEO4J_URI"
				}
				return nil, fmt.Errorf("the embedded Neo4j failed to start: %s (logs in %s)", reason, logHint)
			}
		case <-timeout.C:
			_ = inst.Stop(context.Background())
			return nil, fmt.Errorf("the embedded Neo4j was not ready after %s; see the logs in %s", opts.StartTimeout, logHint)
		case <-ctx.Done():
			_ = inst.Stop(context.Background())
			return nil, ctx.Err()
		}
	}
	if err := inst.verify(ctx); err != nil {
		_ = inst.Stop(context.Background())
		return nil, err
	}
	opts.Logger.Info("embedded Neo4j ready", "uri", inst.URI, "pid", inst.PID(), "took", time.Since(started).Round(time.Millisecond))
	return inst, nil
}

// verify waits until the driver can open a connection and authenticate.
func (i *Instance) verify(ctx context.Context) error {
	driver, err := neo4j.NewDriverWithContext(i.URI, neo4j.BasicAuth(i.User, i.Password, ""))
	if err != nil {
		return err
	}
	defer driver.Close(context.WithoutCancel(ctx))
	var last error
	for attempt := 0; attempt < 50; attempt++ {
		if last = driver.VerifyConnectivity(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("the embedded Neo4j does not answer on %s: %w", i.URI, last)
}

// Stop shuts Neo4j down cleanly: it closes the launcher's standard input, which the launcher takes
// as the signal to stop, then sends SIGTERM and at last SIGKILL if it does not exit in time.
func (i *Instance) Stop(ctx context.Context) error {
	i.once.Do(func() {
		_ = i.stdin.Close()
		select {
		case <-i.exited:
			return
		case <-time.After(60 * time.Second):
		case <-ctx.Done():
		}
		i.logger.Warn("the embedded Neo4j did not stop when asked; sending SIGTERM")
		_ = i.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-i.exited:
			return
		case <-time.After(15 * time.Second):
		}
		i.logger.Error("the embedded Neo4j did not stop on SIGTERM; killing it")
		_ = i.cmd.Process.Kill()
		<-i.exited
	})
	var exitErr *exec.ExitError
	if i.err != nil && !errors.As(i.err, &exitErr) {
		return i.err
	}
	if exitErr != nil && !exitErr.Success() {
		return fmt.Errorf("the embedded Neo4j exited with %v", exitErr)
	}
	return nil
}

// Exited is closed when the Neo4j process ends, expectedly or not.
func (i *Instance) Exited() <-chan struct{} { return i.exited }

// PID returns the process id of the JVM.
func (i *Instance) PID() int { return i.cmd.Process.Pid }

// ExitReason says, once Exited is closed, how the process ended ("exit status 3", "signal:
// killed") and the last lines the JVM wrote (up to 20), e.g. "Terminating due to
// java.lang.OutOfMemoryError: Java heap space".
func (i *Instance) ExitReason() (status, output string) {
	select {
	case <-i.exited:
	default:
		return "", ""
	}
	status = "exit status 0"
	if i.err != nil {
		status = i.err.Error()
	}
	return status, tail([]byte(i.output.String()), 20)
}

func (o *Options) defaults() {
	if o.Heap == "" {
		o.Heap = "1g"
	}
	if o.PageCache == "" {
		o.PageCache = "256m"
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 3 * time.Minute
	}
	if o.DataDir == "" {
		o.DataDir = "data/neo4j"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Restarts == 0 {
		o.Restarts = 5
	}
	if o.RestartBackoff <= 0 {
		o.RestartBackoff = time.Second
	}
	if o.RestartBackoffMax <= 0 {
		o.RestartBackoffMax = 30 * time.Second
	}
	o.RestartBackoffMax = max(o.RestartBackoffMax, o.RestartBackoff)
}

func randomPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Build builds the launcher with Maven unless the build in target/ is of the current sources. It
// holds a lock on the project while it checks and builds, so that concurrent test binaries build once.
func Build(ctx context.Context, projectDir string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	target := filepath.Join(projectDir, "target")
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(target, ".build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking the launcher build: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	stamp, err := sourceStamp(projectDir)
	if err != nil {
		return err
	}
	stampFile := filepath.Join(target, ".athar-build-stamp")
	if have, err := os.ReadFile(stampFile); err == nil && string(have) == stamp {
		if _, err := os.Stat(filepath.Join(target, jarName)); err == nil {
			return nil
		}
	}
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return ErrNoJava
	}
	logger.Info("building the embedded Neo4j launcher with Maven; this happens once and downloads Neo4j 5.26 from Maven Central",
		"project", projectDir)
	started := time.Now()
	cmd := exec.CommandContext(ctx, mvn, "-B", "-q", "-f", filepath.Join(projectDir, "pom.xml"), "package", "-DskipTests")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("building the embedded Neo4j launcher failed: %w\n%s", err, tail(out, 40))
	}
	logger.Info("embedded Neo4j launcher built", "took", time.Since(started).Round(time.Second))
	return os.WriteFile(stampFile, []byte(stamp), 0o644)
}

// sourceStamp hashes the launcher's pom.xml and sources.
func sourceStamp(projectDir string) (string, error) {
	var files []string
	files = append(files, filepath.Join(projectDir, "pom.xml"))
	err := filepath.WalkDir(filepath.Join(projectDir, "src"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(projectDir, f)
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

// String returns what was kept, on a line of its own, or "".
func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(bytes.TrimSpace(t.buf)) == 0 {
		return ""
	}
	return "\n" + string(bytes.TrimSpace(t.buf))
}

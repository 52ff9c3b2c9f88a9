package httpapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// gqlErrorBody is a GraphQL response of errors only, as httpapi writes one.
type gqlErrorBody struct {
	Data   *json.RawMessage `json:"data"`
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// A body over the limit is answered 413 with a GraphQL error naming the limit and its setting, at
// once when its Content-Length says so: the endpoint never runs, and the body is not read to its
// end (the client is still sending when the answer comes).
func TestBodyLimit_TooLargeIs413(t *testing.T) {
	var reached atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
	})
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{GraphQL: handler, Logger: discard, MaxBodyBytes: 1 << 20}))
	t.Cleanup(srv.Close)

	const size = 256 << 20 // far more than the connection's buffers hold
	body := &countingReader{r: io.LimitReader(zeros{}, size)}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer to a body over the limit: %v", err)
	}
	defer resp.Body.Close()
	var got gqlErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
	if len(got.Errors) != 1 || got.Data != nil || !strings.Contains(got.Errors[0].Message, "1048576 bytes") ||
		!strings.Contains(got.Errors[0].Message, "ATHAR_MAX_BODY_BYTES") || got.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
		got.Errors[0].Extensions["limit"] != float64(1<<20) {
		t.Errorf("answer %+v, want one error naming the limit of 1048576 bytes and ATHAR_MAX_BODY_BYTES", got)
	}
	if reached.Load() != 0 {
		t.Error("the endpoint ran for a body over the limit")
	}
	if n := body.n.Load(); n >= size {
		t.Errorf("the client sent all %d bytes before the answer", n)
	}
}

// zeros is an endless stream of spaces.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// blocking is a stand-in for the GraphQL endpoint whose requests run until released: it counts
// the requests running and that have run, per client name (the X-Client header).
type blocking struct {
	release chan struct{}
	mu      sync.Mutex
	running map[string]int
	entered chan string
}

func newBlocking() *blocking {
	return &blocking{release: make(chan struct{}), running: map[string]int{}, entered: make(chan string, 1000)}
}

func (b *blocking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	client := r.Header.Get("X-Client")
	b.mu.Lock()
	b.running[client]++
	b.mu.Unlock()
	b.entered <- client
	if r.Header.Get("X-Quick") == "" {
		select {
		case <-b.release:
		case <-r.Context().Done():
		}
	}
	b.mu.Lock()
	b.running[client]--
	b.mu.Unlock()
	_, _ = w.Write([]byte(`{"data":{}}`))
}

// Running returns how many requests of client run now.
func (b *blocking) Running(client string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.running[client]
}

// admissionServer serves a blocking endpoint through NewServer with admission control sized by
// cfg, and returns the server's URL, the endpoint and the admission control.
func admissionServer(t *testing.T, cfg httpapi.AdmissionConfig) (string, *blocking, *httpapi.Admission) {
	return admissionServerAuth(t, cfg, nil)
}

// admissionServerAuth is admissionServer with requests authenticated by a.
func admissionServerAuth(t *testing.T, cfg httpapi.AdmissionConfig, a *auth.Authenticator) (string, *blocking, *httpapi.Admission) {
	t.Helper()
	b := newBlocking()
	adm := httpapi.NewAdmission(cfg)
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{GraphQL: b, Logger: discard, Admission: adm, Auth: a}))
	t.Cleanup(func() {
		close(b.release)
		srv.Close()
	})
	return srv.URL, b, adm
}

// answer is what a request sent in the background got.
type answer struct {
	status     int
	retryAfter string
	body       gqlErrorBody
	err        error
}

// clientAddresses are the loopback addresses the test clients connect from: admission control
// tells clients apart by their address.
var clientAddresses = map[string]string{
	"a": "127.0.0.2", "b": "127.0.0.3", "flood": "127.0.0.4", "other": "127.0.0.5", "second": "127.0.0.6", "third": "127.0.0.7",
}

var httpClients sync.Map // address → *http.Client

// httpClientFrom returns an HTTP client whose connections come from the loopback address ip.
func httpClientFrom(ip string) *http.Client {
	if c, ok := httpClients.Load(ip); ok {
		return c.(*http.Client)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, _ := httpClients.LoadOrStore(ip, &http.Client{Transport: &http.Transport{DialContext: d.DialContext}})
	return c.(*http.Client)
}

// sendAs posts to /graphql from client's address in the background; the answer arrives on the
// returned channel.
func sendAs(url, client string, quick bool) <-chan answer {
	return sendWith(url, client, "", quick)
}

// sendWith is sendAs with an Authorization header.
func sendWith(url, client, authorization string, quick bool) <-chan answer {
	out := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		req.Header.Set("X-Client", client)
		if quick {
			req.Header.Set("X-Quick", "1")
		}
		resp, err := httpClientFrom(clientAddresses[client]).Do(req)
		if err != nil {
			out <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, &a.body)
		out <- a
	}()
	return out
}

// waitFor polls cond until it holds, failing the test after a generous minute (a hung test, not a
// slow machine).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// receive returns the answer on ch, failing after a generous minute.
func receive(t *testing.T, what string, ch <-chan answer) answer {
	t.Helper()
	select {
	case a := <-ch:
		if a.err != nil {
			t.Fatalf("%s: %v", what, a.err)
		}
		return a
	case <-time.After(time.Minute):
		t.Fatalf("no answer to %s in a minute", what)
	}
	return answer{}
}

// At most MaxRunning requests run; the next QueueLength wait, and run as slots free; the one
// after them is answered 503 at once, with Retry-After and a GraphQL error BUSY.
func TestAdmission_BoundedRunningAndQueue(t *testing.T) {
	url, b, adm := admissionServer(t, httpapi.AdmissionConfig{MaxRunning: 2, MaxRunningPerClient: 2, QueueLength: 2, QueueWait: time.Minute})
	var running []<-chan answer
	for range 2 {
		running = append(running, sendAs(url, "a", false))
	}
	waitFor(t, "two requests to run", func() bool { return adm.Stats().Running == 2 })
	queued := []<-chan answer{sendAs(url, "a", false), sendAs(url, "a", false)}
	waitFor(t, "two requests to wait", func() bool { return adm.Stats().Waiting == 2 })
	if got := b.Running("a"); got != 2 {
		t.Fatalf("%d requests run, want 2", got)
	}

	refused := receive(t, "a request beyond the queue", sendAs(url, "a", false))
	if refused.status != http.StatusServiceUnavailable || refused.retryAfter != "60" {
		t.Errorf("beyond the queue: %d, Retry-After %q; want 503 and 60", refused.status, refused.retryAfter)
	}
	if len(refused.body.Errors) != 1 || refused.body.Errors[0].Extensions["code"] != "BUSY" ||
		refused.body.Errors[0].Extensions["retryAfter"] != float64(60) || !strings.Contains(refused.body.Errors[0].Message, "busy") {
		t.Errorf("beyond the queue: %+v, want one BUSY error", refused.body)
	}

	// Each finished request lets one waiting request run.
	b.release <- struct{}{} // to one of the two running, whichever takes it
	var first answer
	select {
	case first = <-running[0]:
		running = running[1:]
	case first = <-running[1]:
		running = running[:1]
	case <-time.After(time.Minute):
		t.Fatal("no running request finished in a minute")
	}
	if first.err != nil || first.status != http.StatusOK {
		t.Errorf("a running request: %d %v", first.status, first.err)
	}
	waitFor(t, "a waiting request to run", func() bool { s := adm.Stats(); return s.Running == 2 && s.Waiting == 1 })
	for range 3 {
		b.release <- struct{}{}
	}
	for i, ch := range append(running, queued...) {
		if a := receive(t, "a request", ch); a.status != http.StatusOK {
			t.Errorf("request %d: %d", i, a.status)
		}
	}
	if s := adm.Stats(); s.Running != 0 || s.Waiting != 0 {
		t.Errorf("after all finished: %+v", s)
	}
}

// A request waits at most QueueWait: then it is answered 503, and leaves the queue.
func TestAdmission_WaitIsBounded(t *testing.T) {
	url, _, adm := admissionServer(t, httpapi.AdmissionConfig{MaxRunning: 1, QueueLength: 5, QueueWait: 50 * time.Millisecond})
	sendAs(url, "a", false)
	waitFor(t, "a request to run", func() bool { return adm.Stats().Running == 1 })
	a := receive(t, "a request that waited", sendAs(url, "b", false))
	if a.status != http.StatusServiceUnavailable || a.retryAfter != "1" {
		t.Errorf("after its wait: %d, Retry-After %q; want 503 and 1", a.status, a.retryAfter)
	}
	if s := adm.Stats(); s.Waiting != 0 || s.Running != 1 {
		t.Errorf("after the wait: %+v, want 1 running and none waiting", s)
	}
}

// One client flooding Athar takes at most its share of the running slots: another client's
// request runs while all the flood's requests still run or wait.
func TestAdmission_OneClientCannotStarveAnother(t *testing.T) {
	url, b, adm := admissionServer(t, httpapi.AdmissionConfig{MaxRunning: 4, MaxRunningPerClient: 2, QueueLength: 20, QueueWait: time.Minute})
	for range 10 {
		sendAs(url, "flood", false)
	}
	waitFor(t, "the flood to run and wait", func() bool { s := adm.Stats(); return s.Running == 2 && s.Waiting == 8 })
	if got := b.Running("flood"); got != 2 {
		t.Fatalf("the flooding client runs %d requests, want its share of 2", got)
	}
	a := receive(t, "another client's one-line query", sendAs(url, "other", true))
	if a.status != http.StatusOK {
		t.Errorf("another client's query: %d %+v", a.status, a.body)
	}
	if s := adm.Stats(); s.Waiting != 8 || b.Running("flood") != 2 {
		t.Errorf("while the other client's query ran: %+v, flood running %d", s, b.Running("flood"))
	}

	// A freed slot goes to the waiting client that runs the fewest: a second client's waiting
	// request runs before the flood's next one.
	sendAs(url, "second", false)
	sendAs(url, "second", false)
	waitFor(t, "the second client to run", func() bool { return b.Running("second") == 2 })
	sendAs(url, "third", false)
	waitFor(t, "the third client to wait", func() bool { return adm.Stats().Waiting == 9 })
	b.release <- struct{}{}
	waitFor(t, "the third client to run", func() bool { return b.Running("third") == 1 })
	if got := b.Running("flood") + b.Running("second"); got != 3 {
		t.Errorf("flood and second run %d, want 3 (the freed slot went to the third client)", got)
	}
}

// When the queue is full, a newcomer takes the place of the newest waiter of the client with the
// most waiting, who is answered 503; a client with as many waiting as the newcomer's keeps them.
func TestAdmission_FullQueueDropsTheLongest(t *testing.T) {
	url, _, adm := admissionServer(t, httpapi.AdmissionConfig{MaxRunning: 1, QueueLength: 4, QueueWait: time.Minute})
	sendAs(url, "flood", false)
	waitFor(t, "the flood to run", func() bool { return adm.Stats().Running == 1 })
	var flood []<-chan answer
	for range 4 {
		flood = append(flood, sendAs(url, "flood", false))
		n := len(flood)
		waitFor(t, fmt.Sprintf("%d to wait", n), func() bool { return adm.Stats().Waiting == n })
	}
	other := sendAs(url, "other", false)
	dropped := receive(t, "the flood's newest waiter", flood[3])
	if dropped.status != http.StatusServiceUnavailable {
		t.Errorf("the flood's newest waiter: %d, want 503", dropped.status)
	}
	if s := adm.Stats(); s.Waiting != 4 {
		t.Errorf("after the newcomer: %+v, want 4 waiting", s)
	}
	select {
	case a := <-other:
		t.Errorf("the newcomer was answered (%d) instead of waiting", a.status)
	default:
	}
	// The newest flood request goes; the queue stays fair rather than flip-flopping.
	if a := receive(t, "another flood request", sendAs(url, "flood", false)); a.status != http.StatusServiceUnavailable {
		t.Errorf("one more of the flood: %d, want 503", a.status)
	}
}

// A client is its address, unless it acts as an account: an account's requests share one share
// wherever they come from, and a made-up token is refused (401) before it waits for a slot, so it
// claims no share at all.
func TestAdmission_ClientIsTheAddressOrTheAccount(t *testing.T) {
	store := MustStore(t, false)
	token := neo4jtest.MustAccount(t, store, "w", athar.RoleViewer, time.Time{})
	url, b, adm := admissionServerAuth(t, httpapi.AdmissionConfig{MaxRunning: 4, MaxRunningPerClient: 1, QueueWait: time.Minute},
		auth.New(auth.Config{Accounts: store, PublicRead: true}))
	if a := receive(t, "a made-up token", sendWith(url, "a", "Bearer athar_0123456789abcdef_"+strings.Repeat("x", 43), false)); a.status != http.StatusUnauthorized {
		t.Errorf("a made-up token: %d, want 401", a.status)
	}
	sendAs(url, "a", false)
	waitFor(t, "an anonymous request to run", func() bool { return adm.Stats().Running == 1 })
	sendWith(url, "a", "bearer "+token, false)
	waitFor(t, "the account's request to run beside it", func() bool { return adm.Stats().Running == 2 })
	sendWith(url, "b", "Bearer "+token, false)
	waitFor(t, "the account's request from elsewhere to wait", func() bool { return adm.Stats().Waiting == 1 })
	if got := b.Running("a") + b.Running("b"); got != 2 {
		t.Errorf("%d run, want 2", got)
	}
}

// The health probes and the playground never wait, however busy the endpoint is; the exports do,
// and are refused in their own shape.
func TestAdmission_ProbesNeverWait(t *testing.T) {
	b := newBlocking()
	adm := httpapi.NewAdmission(httpapi.AdmissionConfig{MaxRunning: 1, QueueLength: -1, QueueWait: time.Minute})
	store := MustStore(t, false)
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{GraphQL: b, Explorer: store, Pinger: store, Logger: discard, Admission: adm, Playground: true}))
	t.Cleanup(func() {
		close(b.release)
		srv.Close()
	})
	sendAs(srv.URL, "a", false)
	waitFor(t, "a request to run", func() bool { return adm.Stats().Running == 1 })
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		if resp, _ := MustGet(t, srv.URL+path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s while busy: %d", path, resp.StatusCode)
		}
	}
	resp, body := MustGet(t, srv.URL+"/export/attacks.csv", nil)
	var problem struct{ Error, Code string }
	_ = json.Unmarshal(body, &problem)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || problem.Code != "BUSY" || problem.Error == "" {
		t.Errorf("an export while busy: %d %s", resp.StatusCode, body)
	}
}

// Clients that send a request's headers and then their body slowly, or never, hold no admission
// slot: more of them than there are slots leave another client's request to run at once, and each
// is answered 408 once its body has not arrived within the body read timeout.
func TestAdmission_SlowBodiesHoldNoSlot(t *testing.T) {
	b := newBlocking()
	adm := httpapi.NewAdmission(httpapi.AdmissionConfig{MaxRunning: 2, MaxRunningPerClient: 2, QueueLength: -1})
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{GraphQL: b, Logger: discard, Admission: adm,
		BodyReadTimeout: 2 * time.Second}))
	t.Cleanup(func() {
		close(b.release)
		srv.Close()
	})
	addr := strings.TrimPrefix(srv.URL, "http://")
	type late struct {
		status string
		err    error
	}
	answers := make(chan late, 4)
	for i := 0; i < 4; i++ { // twice the slots
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		_, err = fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
			line, err := bufio.NewReader(conn).ReadString('\n')
			answers <- late{line, err}
		}()
	}
	// Another client's request runs (the endpoint counts it) although four bodies are pending.
	quick := sendAs(srv.URL, "other", true)
	if a := receive(t, "a request beside four slow bodies", quick); a.status != http.StatusOK {
		t.Fatalf("status %d (%+v), want 200: slow bodies took the slots", a.status, a.body)
	}
	for i := 0; i < 4; i++ {
		select {
		case a := <-answers:
			if a.err != nil || !strings.Contains(a.status, "408") {
				t.Errorf("a slow body was answered %q (%v), want 408", a.status, a.err)
			}
		case <-time.After(time.Minute):
			t.Fatal("a slow body was never answered")
		}
	}
}

package httpapi

import (
	"context"
	"math"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Admission control: the requests that reach Neo4j (/graphql and the exports) take one of a fixed
// number of running slots. When all are taken, a request waits in a bounded queue for a short
// while, and past that it is answered 503 with Retry-After: Neo4j is saturated, and more work
// sent to it would only make every request slower. The health probes and the playground never
// wait.
//
// Fair share: a client (the write credential, else its remote address) runs at most
// MaxRunningPerClient requests at once, so that a client flooding Athar leaves slots for the
// others; a freed slot goes to the waiting client that runs the fewest requests; and when the
// queue is full, a newcomer takes the place of the newest waiter of the client that has the most
// requests waiting, if that client has more waiting than the newcomer's (longest-queue drop). One
// client's flood therefore delays another's one-line query by at most one request's run time.
//
// A waiting request leaves the queue when its context ends. A GraphQL request's body is read whole
// before admission (withBodyLimit), so a client that sends it slowly never holds a slot. Over
// HTTP/1.1 the server learns that a client went away only once it reads from the connection again:
// such a request waits out QueueWait (or runs, and its answer is lost), which is why the wait is
// short.

// DefaultMaxRunning is how many requests run at once unless configured: 4 per CPU the process
// may use, at least 4 and at most 64. A GraphQL request holds up to a handful of Neo4j sessions
// at a time (its loaders' batches run side by side), so 64 stays within the driver's pool of 100
// connections; a request that spends most of its time waiting for Neo4j needs a few slots per
// core to keep both busy.
func DefaultMaxRunning() int {
	return min(64, max(4, 4*runtime.GOMAXPROCS(0)))
}

// Defaults of the admission queue: at most 100 waiting requests, each for at most 5 seconds.
const (
	DefaultQueueLength = 100
	DefaultQueueWait   = 5 * time.Second
)

// AdmissionConfig sizes admission control. Zero values take the defaults.
type AdmissionConfig struct {
	// MaxRunning is how many requests run at once (DefaultMaxRunning when 0).
	MaxRunning int
	// MaxRunningPerClient is how many of them one client may run (half of MaxRunning, at least 1,
	// when 0).
	MaxRunningPerClient int
	// QueueLength is how many requests may wait for a slot (DefaultQueueLength when 0; a
	// negative value means none wait).
	QueueLength int
	// QueueWait is how long a request waits for a slot before it is answered 503
	// (DefaultQueueWait when 0).
	QueueWait time.Duration
}

func (c *AdmissionConfig) defaults() {
	if c.MaxRunning <= 0 {
		c.MaxRunning = DefaultMaxRunning()
	}
	if c.MaxRunningPerClient <= 0 {
		c.MaxRunningPerClient = max(1, c.MaxRunning/2)
	}
	c.MaxRunningPerClient = min(c.MaxRunningPerClient, c.MaxRunning)
	switch {
	case c.QueueLength == 0:
		c.QueueLength = DefaultQueueLength
	case c.QueueLength < 0:
		c.QueueLength = 0
	}
	if c.QueueWait <= 0 {
		c.QueueWait = DefaultQueueWait
	}
}

// AdmissionStats is a moment's state of admission control.
type AdmissionStats struct {
	Running int // requests running
	Waiting int // requests waiting for a slot
}

// Admission hands out running slots to the requests of NewServer's routes that reach the
// database. Its state is small and guarded by one mutex: a request takes it twice (to enter, to
// leave), which costs nothing beside a database round trip.
type Admission struct {
	cfg AdmissionConfig

	mu      sync.Mutex
	running int
	waiting int
	clients map[string]*admissionClient
}

// admissionClient is what admission control knows of one client: its running requests and its
// waiters, oldest first.
type admissionClient struct {
	running int
	queue   []*waiter
}

// waiter is a request waiting for a slot. ready is closed when the slot is granted (admitted) or
// the request is pushed out of the queue (not admitted).
type waiter struct {
	ready    chan struct{}
	admitted bool
	since    time.Time
}

// NewAdmission returns admission control sized by cfg (zero values take the defaults).
func NewAdmission(cfg AdmissionConfig) *Admission {
	cfg.defaults()
	return &Admission{cfg: cfg, clients: map[string]*admissionClient{}}
}

// Stats returns how many requests run and wait now.
func (a *Admission) Stats() AdmissionStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return AdmissionStats{Running: a.running, Waiting: a.waiting}
}

// acquire waits until the client may run a request, and reports whether it may: false when the
// queue is full, the wait ran out, or ctx ended first. A true answer must be followed by release.
func (a *Admission) acquire(ctx context.Context, client string) bool {
	a.mu.Lock()
	c := a.clients[client]
	if c == nil {
		c = &admissionClient{}
		a.clients[client] = c
	}
	if len(c.queue) == 0 && a.running < a.cfg.MaxRunning && c.running < a.cfg.MaxRunningPerClient {
		a.running++
		c.running++
		a.mu.Unlock()
		return true
	}
	if a.waiting >= a.cfg.QueueLength && !a.pushOutFor(c) {
		a.forgetIfIdle(client, c)
		a.mu.Unlock()
		return false
	}
	w := &waiter{ready: make(chan struct{}), since: time.Now()}
	c.queue = append(c.queue, w)
	a.waiting++
	a.mu.Unlock()

	timer := time.NewTimer(a.cfg.QueueWait)
	defer timer.Stop()
	select {
	case <-w.ready:
		return w.admitted
	case <-timer.C:
	case <-ctx.Done():
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-w.ready:
		// Granted (or pushed out) while the timer fired: a granted slot is handed back.
		if w.admitted {
			a.running--
			c.running--
			a.grant()
			a.forgetIfIdle(client, c)
		}
		return false
	default:
	}
	for i, q := range c.queue {
		if q == w {
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			break
		}
	}
	a.waiting--
	a.forgetIfIdle(client, c)
	return false
}

// release gives back the client's running slot and hands it to a waiter.
func (a *Admission) release(client string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.clients[client]
	a.running--
	c.running--
	a.grant()
	a.forgetIfIdle(client, c)
}

// grant hands free slots to waiters: each time to the waiting client that runs the fewest
// requests (the one that waited longest among equals), within its share. Called with a.mu held.
func (a *Admission) grant() {
	for a.running < a.cfg.MaxRunning && a.waiting > 0 {
		var best *admissionClient
		for _, c := range a.clients {
			if len(c.queue) == 0 || c.running >= a.cfg.MaxRunningPerClient {
				continue
			}
			if best == nil || c.running < best.running ||
				c.running == best.running && c.queue[0].since.Before(best.queue[0].since) {
				best = c
			}
		}
		if best == nil {
			return
		}
		w := best.queue[0]
		best.queue = best.queue[1:]
		a.waiting--
		a.running++
		best.running++
		w.admitted = true
		close(w.ready)
	}
}

// pushOutFor makes room in the full queue for a request of client c by refusing the newest waiter
// of the client with the most waiting requests, if that client has more waiting than c. Called
// with a.mu held.
func (a *Admission) pushOutFor(c *admissionClient) bool {
	var longest *admissionClient
	for _, o := range a.clients {
		if longest == nil || len(o.queue) > len(longest.queue) {
			longest = o
		}
	}
	if longest == nil || longest == c || len(longest.queue) <= len(c.queue)+1 {
		return false
	}
	w := longest.queue[len(longest.queue)-1]
	longest.queue = longest.queue[:len(longest.queue)-1]
	a.waiting--
	close(w.ready)
	return true
}

// forgetIfIdle drops a client that neither runs nor waits, so that the map holds only clients of
// the moment. Called with a.mu held.
func (a *Admission) forgetIfIdle(key string, c *admissionClient) {
	if c.running == 0 && len(c.queue) == 0 {
		delete(a.clients, key)
	}
}

// clientKey names the client a request comes from, for its fair share: the account it acts as
// (whoever holds its token, from wherever), else the request's remote IP address. An
// Authorization header that names no account is not a name: a client could send a new one with
// every request and so claim a share for each. X-Forwarded-For is not trusted either: any client
// can write it.
func clientKey(r *http.Request) string {
	if name, ok := principalName(r.Context()); ok {
		return "account:" + name
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "address:" + host
}

// busyFunc answers a request that admission control refused, in the shape of its endpoint,
// with Retry-After already set.
type busyFunc func(w http.ResponseWriter, r *http.Request, retryAfter int)

// admit runs next when a slot is free (after waiting for one in the queue if need be), and else
// answers 503 with Retry-After through busy.
func (a *Admission) admit(busy busyFunc, next http.Handler) http.Handler {
	retryAfter := max(1, int(math.Ceil(a.cfg.QueueWait.Seconds())))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := clientKey(r)
		if !a.acquire(r.Context(), client) {
			if r.Context().Err() != nil {
				return // the client went away while it waited: nobody reads an answer
			}
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
			busy(w, r, retryAfter)
			return
		}
		defer a.release(client)
		next.ServeHTTP(w, r)
	})
}

// busyMessage is what a refused request is told.
func busyMessage(retryAfter int) string {
	unit := " seconds"
	if retryAfter == 1 {
		unit = " second"
	}
	return "Athar is busy: too many requests are running or waiting; retry after " + strconv.Itoa(retryAfter) + unit
}

// CodeBusy is the extensions.code (GraphQL) and code (plain HTTP) of a request refused because
// Athar is saturated.
const CodeBusy = "BUSY"

// busyGraphQL answers a refused GraphQL request: 503 and a GraphQL error with extensions.code
// BUSY and extensions.retryAfter in seconds.
func busyGraphQL(w http.ResponseWriter, _ *http.Request, retryAfter int) {
	WriteGraphQLError(w, http.StatusServiceUnavailable, busyMessage(retryAfter),
		map[string]any{"code": CodeBusy, "retryAfter": retryAfter})
}

// busyPlain answers a refused plain-HTTP request (an export): 503 and {"error", "code": "BUSY"}.
func busyPlain(w http.ResponseWriter, _ *http.Request, retryAfter int) {
	recordCode(w, CodeBusy)
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": busyMessage(retryAfter), "code": CodeBusy})
}

package neo4jlocal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// ErrRestarting is what a Supervisor's Down answers while it restarts Neo4j; its text is safe to
// show a client.
var ErrRestarting = errors.New("the database stopped unexpectedly and is being restarted; try again shortly")

// ErrGaveUp is what a Supervisor's Down and Alive answer once it has given up restarting Neo4j
// (Options.Restarts attempts in a row failed): only a restart of Athar mends it.
var ErrGaveUp = errors.New("the database stopped and could not be restarted; Athar needs a restart")

// errStopped is what Down answers after Stop.
var errStopped = errors.New("the database is stopped")

// Supervisor keeps an embedded Neo4j running: when the process exits unexpectedly (killed, out of
// memory), it logs the exit status and the JVM's last words at once, and restarts Neo4j on the
// same port with the same password, so that a driver made for URI, User and Password reconnects by
// itself. Restarts pause Options.RestartBackoff, doubling up to Options.RestartBackoffMax, and stop
// after Options.Restarts failed attempts in a row. Down and Lost tell a store, at once, that
// queries cannot be answered (see neo4jstore.Availability).
type Supervisor struct {
	URI, User, Password string

	opts Options
	stop chan struct{} // closed by Stop
	done chan struct{} // closed when the supervising goroutine ends

	mu       sync.Mutex
	inst     *Instance
	down     error         // nil while Neo4j runs
	lost     chan struct{} // closed when the running Neo4j stops
	restarts int

	// Owned by the supervising goroutine: when the running Neo4j started, and the attempts and
	// pause so far of restarts that did not last (see restart).
	startedAt time.Time
	attempts  int
	pause     time.Duration
}

// Supervise starts the embedded Neo4j (see Start) and keeps it running until Stop.
func Supervise(ctx context.Context, opts Options) (*Supervisor, error) {
	opts.defaults()
	inst, err := Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(inst.URI)
	if err == nil {
		opts.Port, err = strconv.Atoi(u.Port())
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("the embedded Neo4j announced %q, which has no port", inst.URI), inst.Stop(context.Background()))
	}
	opts.Password = inst.Password
	s := &Supervisor{URI: inst.URI, User: inst.User, Password: inst.Password, opts: opts,
		stop: make(chan struct{}), done: make(chan struct{}), inst: inst, lost: make(chan struct{}), startedAt: time.Now()}
	go s.watch()
	return s, nil
}

// Down returns nil while Neo4j runs; ErrRestarting while it is being restarted; ErrGaveUp when it
// could not be; and an error saying it is stopped after Stop.
func (s *Supervisor) Down() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// Lost returns a channel that is closed when the running Neo4j stops (already closed while it is
// down).
func (s *Supervisor) Lost() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost
}

// Alive returns ErrGaveUp once the Supervisor has given up restarting Neo4j, and nil before: the
// answer of a liveness probe, which lets an orchestrator restart Athar.
func (s *Supervisor) Alive() error {
	if err := s.Down(); errors.Is(err, ErrGaveUp) {
		return err
	}
	return nil
}

// Instance returns the Neo4j process running now, or nil while there is none.
func (s *Supervisor) Instance() *Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return nil
	}
	return s.inst
}

// Restarts returns how many times Neo4j was restarted.
func (s *Supervisor) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

// Stop stops supervising (a restart under way is abandoned) and stops Neo4j cleanly (see
// Instance.Stop).
func (s *Supervisor) Stop(ctx context.Context) error {
	s.mu.Lock()
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.mu.Unlock()
	<-s.done
	s.mu.Lock()
	inst := s.inst
	if s.down == nil {
		close(s.lost)
	}
	s.down = errStopped
	s.mu.Unlock()
	if inst == nil {
		return nil
	}
	return inst.Stop(ctx)
}

// watch waits for the running Neo4j to exit and, unless Stop asked for it, restarts it.
func (s *Supervisor) watch() {
	defer close(s.done)
	log := s.opts.Logger
	for {
		s.mu.Lock()
		inst := s.inst
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-inst.Exited():
		}
		select {
		case <-s.stop:
			return // Stop raced the exit; not unexpected
		default:
		}
		s.mu.Lock()
		s.down = ErrRestarting
		close(s.lost)
		s.mu.Unlock()
		status, output := inst.ExitReason()
		log.Error("the embedded Neo4j exited unexpectedly; restarting it", "status", status, "output", output, "logs", inst.logDir)
		next, ok := s.restart()
		if !ok {
			return
		}
		s.mu.Lock()
		s.inst, s.down, s.lost = next, nil, make(chan struct{})
		s.restarts++
		s.mu.Unlock()
		if s.opts.OnRestart != nil {
			s.opts.OnRestart()
		}
	}
}

// restart starts Neo4j again, pausing before each attempt, and returns false when Stop asked to
// stop or every attempt failed. A Neo4j that exits again within RestartBackoffMax of its restart
// counts as a failed attempt too, so that one that dies at once (out of memory as it recovers)
// is restarted with growing pauses, at most Restarts times, not forever.
func (s *Supervisor) restart() (*Instance, bool) {
	log := s.opts.Logger
	if s.opts.Restarts < 0 {
		s.giveUp("restarts are off (ATHAR_NEO4J_RESTARTS)")
		return nil, false
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if time.Since(s.startedAt) >= s.opts.RestartBackoffMax {
		s.attempts, s.pause = 0, s.opts.RestartBackoff
	} else {
		s.pause = min(max(2*s.pause, s.opts.RestartBackoff), s.opts.RestartBackoffMax)
	}
	for s.attempts < s.opts.Restarts {
		s.attempts++
		select {
		case <-s.stop:
			return nil, false
		case <-time.After(s.pause):
		}
		started := time.Now()
		inst, err := Start(ctx, s.opts)
		if err == nil {
			s.startedAt = time.Now()
			log.Info("the embedded Neo4j is running again", "attempt", s.attempts, "took", time.Since(started).Round(time.Millisecond))
			return inst, true
		}
		if ctx.Err() != nil {
			return nil, false
		}
		log.Error("restarting the embedded Neo4j failed", "attempt", s.attempts, "of", s.opts.Restarts, "err", err)
		s.pause = min(2*s.pause, s.opts.RestartBackoffMax)
	}
	s.giveUp(fmt.Sprintf("%d attempts failed", s.opts.Restarts))
	return nil, false
}

func (s *Supervisor) giveUp(why string) {
	s.mu.Lock()
	s.down = ErrGaveUp
	s.mu.Unlock()
	s.opts.Logger.Error("gave up restarting the embedded Neo4j: Athar cannot answer until it is restarted", "reason", why)
}

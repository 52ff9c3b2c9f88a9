package main

import (
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// DefaultProgressInterval is how often an import that does not write to a terminal logs how far it
// has got (--progress-interval, ATHAR_IMPORT_PROGRESS_INTERVAL).
const DefaultProgressInterval = 5 * time.Second

// importProgress shows how the writing of an import advances, from the store's Progress callback
// (records done of the total, after each batch). On a terminal it is one line redrawn in place: a
// bar, the records done of the total, records/s and, in brackets, the time elapsed and the time
// left, drawn by github.com/schollz/progressbar/v3 (kept up, and already what this command drew);
// the line is cleared when the import ends, before the summary. Anywhere else (a log file, a CI
// job, `docker compose exec -T`) redrawing makes no sense, so it logs a plain line every interval
// with the same figures (done, total, percent, records_per_second, left), through the command's
// logger (so --log-level warn silences it). The callback may be called from several goroutines.
type importProgress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar // on a terminal; nil otherwise
	logger *slog.Logger             // when not on a terminal
	every  time.Duration
	now    func() time.Time
	start  time.Time
	logged time.Time // when the last line was logged
	done   int
}

// newImportProgress returns the progress display of an import of total records to stderr: the bar
// when stderr is a terminal, log lines through logger every interval otherwise. An interval of 0 or
// less shows nothing (nil is returned, whose methods do nothing).
func newImportProgress(stderr io.Writer, logger *slog.Logger, total int, every time.Duration) *importProgress {
	if every <= 0 {
		return nil
	}
	f, ok := stderr.(*os.File)
	return newProgress(stderr, ok && term.IsTerminal(int(f.Fd())), logger, total, every, time.Now)
}

func newProgress(w io.Writer, terminal bool, logger *slog.Logger, total int, every time.Duration, now func() time.Time) *importProgress {
	p := &importProgress{logger: logger, every: every, now: now, start: now()}
	p.logged = p.start
	if terminal {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString("records"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(),
			// Drawn at once, so that its clock (records/s, time left) starts with the writing.
			progressbar.OptionSetRenderBlankState(true))
	}
	return p
}

// update records that done of total records are written: the store's ImportOptions.Progress.
func (p *importProgress) update(done, total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if done <= p.done {
		return // a batch that finished after a later one
	}
	p.done = done
	if p.bar != nil {
		_ = p.bar.Set(done)
		return
	}
	now := p.now()
	if now.Sub(p.logged) < p.every || done >= total {
		return // the summary follows the last batch
	}
	p.logged = now
	elapsed := now.Sub(p.start)
	rate := float64(done) / elapsed.Seconds()
	args := []any{"done", done, "total", total, "percent", done * 100 / max(total, 1),
		"records_per_second", int(rate)}
	if rate > 0 {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		args = append(args, "left", left.Round(time.Second).String())
	}
	p.logger.Info("importing", args...)
}

// finish clears the bar, so that the summary, or the error that stopped the import, stands alone.
func (p *importProgress) finish() {
	if p == nil || p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Clear()
}

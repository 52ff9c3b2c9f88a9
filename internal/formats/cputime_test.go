package formats_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) the process has used: on a machine whose cores
// are shared, a benchmark's CPU time per operation says more than its wall time.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

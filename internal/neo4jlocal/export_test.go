package neo4jlocal

// PID returns the process id of the JVM.
func (i *Instance) PID() int { return i.cmd.Process.Pid }

// CloseInput closes the launcher's standard input, as the death of its parent would.
func (i *Instance) CloseInput() error { return i.stdin.Close() }

package neo4jlocal

// CloseInput closes the launcher's standard input, as the death of its parent would.
func (i *Instance) CloseInput() error { return i.stdin.Close() }

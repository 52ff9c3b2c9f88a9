package auth

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// No more slow hashes run at once than the machine has CPUs: with every slot held, a check waits,
// and gives up with its context; a slot held is given back.
func TestVerify_HoldsOneOfTheSlots(t *testing.T) {
	a := New(Config{})
	if cap(a.slots) != max(1, runtime.NumCPU()) {
		t.Fatalf("%d hashing slots, want one per CPU", cap(a.slots))
	}
	hash := HashSecret("right")
	if ok, err := a.verify(context.Background(), "right", hash); !ok || err != nil || len(a.slots) != 0 {
		t.Fatalf("verify: %v %v, %d slots still held", ok, err, len(a.slots))
	}
	for range cap(a.slots) {
		a.slots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.verify(ctx, "right", hash); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with every slot held: %v, want the context's deadline", err)
	}
}

package main

import (
	"slices"
	"strings"
	"testing"
)

func TestBench_ClientsList(t *testing.T) {
	got, err := parseClients("1, 8,32")
	if err != nil || !slices.Equal(got, []int{1, 8, 32}) {
		t.Errorf("parseClients(\"1, 8,32\") = %v, %v; want [1 8 32]", got, err)
	}
	for _, bad := range []string{"", "0", "1,,8", "eight", "257", "-1"} {
		if _, err := parseClients(bad); err == nil || !strings.Contains(err.Error(), "--clients") {
			t.Errorf("parseClients(%q): %v, want an error naming --clients", bad, err)
		}
	}
}

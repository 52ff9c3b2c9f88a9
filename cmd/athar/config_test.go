package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestServe_ExportSettings checks that the export settings are listed with their variables and
// that one out of range stops serve before it opens a database.
func TestServe_ExportSettings(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--help"}, &out, &errOut); code != 0 {
		t.Fatalf("serve --help exited %d", code)
	}
	for _, name := range []string{"ATHAR_EXPORT_PAGE_SIZE", "ATHAR_EXPORT_TIMEOUT"} {
		if !strings.Contains(errOut.String(), name) {
			t.Errorf("serve --help does not mention %s", name)
		}
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		flag string
	}{
		{args: []string{"--export-page-size", "0"}, flag: "--export-page-size"},
		{args: []string{"--export-page-size", "10001"}, flag: "--export-page-size"},
		{env: map[string]string{"ATHAR_EXPORT_PAGE_SIZE": "-5"}, flag: "--export-page-size"},
		{args: []string{"--export-timeout", "0s"}, flag: "--export-timeout"},
	} {
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		errOut.Reset()
		// An unreachable database: serve must refuse the setting before it tries one.
		args := append([]string{"serve", "--neo4j-uri", "bolt://127.0.0.1:1", "--addr", "127.0.0.1:0"}, c.args...)
		if code := run(context.Background(), args, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), c.flag) {
			t.Errorf("serve %v %v: exit %d, %q; want a refusal naming %s", c.args, c.env, code, errOut.String(), c.flag)
		}
		for k := range c.env {
			t.Setenv(k, "")
		}
	}
}

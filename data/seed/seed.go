// Package seed holds Athar's curated seed data (seed.json, see README.md beside it), built into the
// binary so that `athar serve` can load it into an empty database wherever it runs.
package seed

import (
	"bytes"
	_ "embed"

	"github.com/athar-project/athar/internal/athar"
)

//go:embed seed.json
var seedJSON []byte

// Bundle returns the seed data as a bundle.
func Bundle() (*athar.Bundle, error) {
	return athar.ReadBundle(bytes.NewReader(seedJSON))
}

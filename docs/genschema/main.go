// Command genschema writes the JSON Schema of the bundle format, made from the entities'
// descriptions, to the file named by its argument (go generate runs it for docs/bundle.schema.json).
package main

import (
	"fmt"
	"os"

	"github.com/athar-project/athar/internal/athar"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genschema FILE")
		os.Exit(2)
	}
	b, err := athar.BundleJSONSchema()
	if err == nil {
		err = os.WriteFile(os.Args[1], b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/plein-nl/plein/platform/distribution"
)

// calcDistribution runs the minnelijk-traject distribution: JSON in, JSON out.
func calcDistribution(stdin io.Reader, stdout io.Writer) error {
	in, err := distribution.DecodeInput(stdin)
	if err != nil {
		return fmt.Errorf("calc distribution: %w", err)
	}
	out, err := distribution.Distribute(in)
	if err != nil {
		return fmt.Errorf("calc distribution: %w", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out.ToJSON())
}

package jobs

import (
	"testing"

	"github.com/monobunt/slaguard/internal/redistest"
)

// The package's redis-server is stopped when its tests and benchmarks end.
func TestMain(m *testing.M) { redistest.Main(m) }

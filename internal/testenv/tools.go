package testenv

import (
	"os"
	"path/filepath"
)

// ToolsDir is where test tools built from source (mailpit, SeaweedFS) are
// cached: $HERALD_TOOLS/bin, by default ~/.cache/herald-tools/bin, shared by
// every checkout so that a slow build happens once per machine.
func ToolsDir() string {
	root := os.Getenv("HERALD_TOOLS")
	if root == "" {
		if home, err := os.UserHomeDir(); err == nil {
			root = filepath.Join(home, ".cache", "herald-tools")
		} else {
			root = filepath.Join(os.TempDir(), "herald-tools")
		}
	}
	return filepath.Join(root, "bin")
}

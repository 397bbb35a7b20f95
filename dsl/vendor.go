package dsl

import (
	"os"
	"path/filepath"
	"strings"
)

// vendorRoot is the project root that the code of module sees: for the
// code of a vendor project (vendor.NAME.module, see machinable.yaml's +:)
// the vendor's directory, so that its load() paths are its own, as when
// it runs as a project of its own; else projectDir.
func vendorRoot(projectDir, module string) string {
	root := projectDir
	parts := strings.Split(module, ".")
	for len(parts) > 2 && parts[0] == "vendor" {
		dir := filepath.Join(root, "vendor", parts[1])
		if fi, err := os.Stat(filepath.Join(dir, "machinable.yaml")); err != nil || fi.IsDir() {
			break // a package of this project that happens to be called vendor
		}
		root, parts = dir, parts[2:]
	}
	return root
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
)

// vendorRule keeps one SDK behind one package: only packages under one of
// owners (paths relative to the module) may import vendor or anything
// below it.
type vendorRule struct {
	what    string
	vendors []string
	owners  []string
}

// vendorRules are the house rules from shared/style.md.
var vendorRules = []vendorRule{
	{"gorm", []string{"gorm.io", "github.com/glebarez/sqlite"}, []string{"internal/store"}},
	{"echo", []string{"github.com/labstack/echo"}, []string{"api"}},
	{"minio-go", []string{"github.com/minio/minio-go"}, []string{"internal/blob/s3"}},
	{"golang-jwt", []string{"github.com/golang-jwt/jwt"}, []string{"internal/auth"}},
	{"River", []string{"github.com/riverqueue/river"}, []string{"internal/jobs"}},
	{"esbuild", []string{"github.com/evanw/esbuild"}, []string{"web/build"}},
	{"chromedp", []string{"github.com/chromedp"}, []string{"internal/browsertest", "web"}},
}

// checklistsAllowed is what the checklist engine, the mobile team's spec,
// may import besides the standard library and itself.
var checklistsAllowed = []string{"github.com/diegoholiveira/jsonlogic", "github.com/santhosh-tekuri/jsonschema"}

// listedPackage is the part of `go list -json` the rules read.
type listedPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// violation is one broken rule.
type violation struct {
	pkg, imported, rule string
}

func (v violation) String() string {
	return fmt.Sprintf("%s imports %s (%s)", v.pkg, v.imported, v.rule)
}

// checkImports lists every package of the module with its imports (test
// files included: a test is code too) and applies the rules.
func checkImports(ctx context.Context) error {
	module, err := exec.CommandContext(ctx, goTool(), "list", "-m").Output()
	if err != nil {
		return fmt.Errorf("go list -m: %w", err)
	}
	cmd := exec.CommandContext(ctx, goTool(), "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go list: %w\n%s", err, stderr.String())
	}
	packages, err := decodePackages(bytes.NewReader(out))
	if err != nil {
		return err
	}
	violations := findViolations(strings.TrimSpace(string(module)), packages)
	for _, v := range violations {
		logf("import rule broken: %s", v)
	}
	if len(violations) > 0 {
		return fmt.Errorf("%d import rule(s) broken; each vendor SDK lives in one package (shared/style.md)", len(violations))
	}
	logf("import rules hold for %d packages", len(packages))
	return nil
}

// decodePackages reads the stream of JSON objects go list prints.
func decodePackages(r io.Reader) ([]listedPackage, error) {
	var packages []listedPackage
	decoder := json.NewDecoder(r)
	for {
		var p listedPackage
		err := decoder.Decode(&p)
		if errors.Is(err, io.EOF) {
			return packages, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode go list output: %w", err)
		}
		packages = append(packages, p)
	}
}

// findViolations applies the rules; module is the module path, so
// rules can speak of paths relative to it.
func findViolations(module string, packages []listedPackage) []violation {
	var found []violation
	for _, p := range packages {
		relative, ok := relativeTo(module, p.ImportPath)
		if !ok {
			continue
		}
		for _, imported := range allImports(p) {
			for _, rule := range vendorRules {
				if underAny(imported, rule.vendors) && !underAny(relative, rule.owners) {
					found = append(found, violation{p.ImportPath, imported,
						rule.what + " only in " + strings.Join(rule.owners, ", ")})
				}
			}
			if under(relative, "checklists") && !checklistsMayImport(module, imported) {
				found = append(found, violation{p.ImportPath, imported,
					"checklists/ uses only the standard library, itself, " + strings.Join(checklistsAllowed, ", ")})
			}
		}
	}
	return found
}

func checklistsMayImport(module, imported string) bool {
	if standardLibrary(imported) || underAny(imported, checklistsAllowed) {
		return true
	}
	relative, ok := relativeTo(module, imported)
	return ok && under(relative, "checklists")
}

// allImports merges the package's and its tests' imports, sorted, once each.
func allImports(p listedPackage) []string {
	seen := map[string]bool{}
	var all []string
	for _, list := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
		for _, imported := range list {
			if !seen[imported] {
				seen[imported] = true
				all = append(all, imported)
			}
		}
	}
	sort.Strings(all)
	return all
}

// relativeTo returns path inside module ("" for the module root).
func relativeTo(module, path string) (string, bool) {
	if path == module {
		return "", true
	}
	rest, ok := strings.CutPrefix(path, module+"/")
	return rest, ok
}

// under reports whether path is root or below it, by whole elements.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

func underAny(path string, roots []string) bool {
	for _, root := range roots {
		if under(path, root) {
			return true
		}
	}
	return false
}

// standardLibrary reports import paths whose first element has no dot,
// which the go command reserves for the standard library ("C" is cgo).
func standardLibrary(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && path != "C"
}

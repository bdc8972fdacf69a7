package principal

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

func TestSystemActsForOneOrganisation(t *testing.T) {
	ctx := AsSystem(context.Background(), "org-1", "media.collect")
	p, ok := From(ctx)
	if !ok || p.OrgID != "org-1" || p.Role != Admin || p.UserID != SystemUserID || p.Job != "media.collect" || !p.IsSystem() {
		t.Fatalf("AsSystem = %+v, %v", p, ok)
	}
	if (Principal{UserID: "u", OrgID: "org-1", Role: Admin}).IsSystem() {
		t.Error("a person is not the system")
	}
}

// TestOnlySystemBuildsPrincipalsForJobs keeps System the one way to act
// for an organisation without a person: outside this package, only
// authentication (which turns a login or token into its user) may build a
// Principal.
func TestOnlySystemBuildsPrincipalsForJobs(t *testing.T) {
	root := filepath.Join("..", "..")
	allowed := map[string]bool{"internal/auth": true, "internal/principal": true}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if allowed[filepath.ToSlash(filepath.Dir(rel))] {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := lit.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Principal" {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "principal" && len(lit.Elts) > 0 {
					t.Errorf("%s builds a principal.Principal: act for an organisation with principal.System", rel)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

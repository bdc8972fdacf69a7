package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/patrolsync/patrolsync"

func TestFindViolations(t *testing.T) {
	cases := []struct {
		name   string
		pkg    listedPackage
		broken []string // imports reported, in order
	}{
		{"store may use gorm", listedPackage{ImportPath: module + "/internal/store/postgres",
			Imports: []string{"gorm.io/gorm", "gorm.io/driver/postgres", "github.com/glebarez/sqlite"}}, nil},
		{"api may use echo", listedPackage{ImportPath: module + "/api/middleware",
			Imports: []string{"github.com/labstack/echo/v4"}}, nil},
		{"blob/s3 may use minio", listedPackage{ImportPath: module + "/internal/blob/s3",
			Imports: []string{"github.com/minio/minio-go/v7", "github.com/minio/minio-go/v7/pkg/credentials"}}, nil},
		{"auth may use jwt", listedPackage{ImportPath: module + "/internal/auth",
			Imports: []string{"github.com/golang-jwt/jwt/v5"}}, nil},
		{"main may not use gorm", listedPackage{ImportPath: module + "/cmd/patrolsync",
			Imports: []string{"fmt", "gorm.io/gorm"}}, []string{"gorm.io/gorm"}},
		{"a test counts too", listedPackage{ImportPath: module + "/internal/media",
			XTestImports: []string{"github.com/minio/minio-go/v7"}}, []string{"github.com/minio/minio-go/v7"}},
		{"a prefix is not a parent", listedPackage{ImportPath: module + "/internal/storefront",
			Imports: []string{"gorm.io/gorm"}}, []string{"gorm.io/gorm"}},
		{"echo outside api", listedPackage{ImportPath: module + "/internal/syncer",
			Imports: []string{"github.com/labstack/echo/v4", "github.com/golang-jwt/jwt/v5"}},
			[]string{"github.com/golang-jwt/jwt/v5", "github.com/labstack/echo/v4"}},
		{"checklists with its rule libraries", listedPackage{ImportPath: module + "/checklists/library",
			Imports: []string{"encoding/json", "embed", module + "/checklists",
				"github.com/diegoholiveira/jsonlogic/v3", "github.com/santhosh-tekuri/jsonschema/v6"}}, nil},
		{"checklists reaching into internal", listedPackage{ImportPath: module + "/checklists",
			Imports: []string{module + "/internal/errs", "github.com/google/uuid"}},
			[]string{"github.com/google/uuid", module + "/internal/errs"}},
		{"another module is ignored", listedPackage{ImportPath: "example.com/other",
			Imports: []string{"gorm.io/gorm"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, v := range findViolations(module, []listedPackage{tc.pkg}) {
				got = append(got, v.imported)
			}
			if !reflect.DeepEqual(got, tc.broken) {
				t.Fatalf("violations %q, want %q", got, tc.broken)
			}
		})
	}
}

func TestDecodePackages(t *testing.T) {
	stream := `{"ImportPath":"m/a","Imports":["fmt"]}
{"ImportPath":"m/b","TestImports":["testing"],"XTestImports":["m/b"]}`
	got, err := decodePackages(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	want := []listedPackage{{ImportPath: "m/a", Imports: []string{"fmt"}},
		{ImportPath: "m/b", TestImports: []string{"testing"}, XTestImports: []string{"m/b"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestStandardLibrary(t *testing.T) {
	for path, want := range map[string]bool{"fmt": true, "net/http": true, "C": false,
		"gorm.io/gorm": false, "github.com/x/y": false} {
		if got := standardLibrary(path); got != want {
			t.Errorf("standardLibrary(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestPostgresURL(t *testing.T) {
	if got, want := postgresURL(54321), "postgres://postgres@127.0.0.1:54321/postgres?sslmode=disable"; got != want {
		t.Fatalf("postgresURL = %s, want %s", got, want)
	}
	if got := redactURL("postgres://u:secret@h:1/db"); strings.Contains(got, "secret") {
		t.Fatalf("redactURL leaks the password: %s", got)
	}
}

func TestFreePort(t *testing.T) {
	port, err := freePort()
	if err != nil || port <= 0 || port > 65535 {
		t.Fatalf("freePort() = %d, %v", port, err)
	}
	if got := hostPort(port); !strings.HasPrefix(got, "127.0.0.1:") {
		t.Fatalf("hostPort = %s", got)
	}
}

func TestInstallDirFrom(t *testing.T) {
	cases := []struct {
		goEnv, want string
		ok          bool
	}{
		{"/opt/gobin\n/root/go\n", "/opt/gobin", true},
		{"\n/root/go\n", "/root/go/bin", true},
		{"\n/a/go:/b/go\n", "/a/go/bin", true},
		{"\n\n", "", false},
	}
	for _, tc := range cases {
		got, err := installDirFrom(tc.goEnv)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("installDirFrom(%q) = %q, %v; want %q, ok=%v", tc.goEnv, got, err, tc.want, tc.ok)
		}
	}
}

func TestExitCode(t *testing.T) {
	failed := exec.Command("sh", "-c", "exit 3").Run()
	for _, tc := range []struct {
		err  error
		want int
	}{{nil, 0}, {failed, 3}, {errors.New("ours"), 1}} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestShellJoin(t *testing.T) {
	if got, want := shellJoin([]string{"go", "test", "-run", "A B", ""}), `go test -run "A B" ""`; got != want {
		t.Fatalf("shellJoin = %s, want %s", got, want)
	}
}

// The packages started first must exist and have tests: a renamed one
// would fail make test at once, and one without tests would be a slot
// taken for nothing.
func TestSlowestFirstArePackagesWithTests(t *testing.T) {
	for _, dir := range slowestFirst {
		tests, err := filepath.Glob(filepath.Join("..", "..", dir, "*_test.go"))
		if err != nil || len(tests) == 0 {
			t.Errorf("%s: no tests there (%v); update slowestFirst in main.go", dir, err)
		}
	}
	if !slices.Contains(defaultTestArgs, "./...") || defaultTestArgs[len(defaultTestArgs)-1] != "./..." {
		t.Errorf("the default arguments %q must still end with ./... (every package)", defaultTestArgs)
	}
}

// With packages named, vet vets those packages (with the tests' build
// tags) and not the whole module; the default run vets everything.
func TestVetArgs(t *testing.T) {
	for _, tc := range []struct {
		name     string
		testArgs []string
		want     []string
	}{
		{"the default run", defaultTestArgs, append([]string{"vet"}, append(slices.Clone(slowestFirst), "./...")...)},
		{"one package", []string{"-count=1", "-run", "Contract|OpenAPI", "./api"}, []string{"vet", "./api"}},
		{"values joined and apart", []string{"-run=Push", "-timeout", "5m", "-count", "1", "-v", "./api", "./internal/auth/..."},
			[]string{"vet", "./api", "./internal/auth/..."}},
		{"packages before the test flags", []string{"./cmd/testrun", "-run", "TestVetArgs"}, []string{"vet", "./cmd/testrun"}},
		{"double dashes", []string{"--run", "X", "--count=1", "./web/..."}, []string{"vet", "./web/..."}},
		{"build tags go to vet too", []string{"-tags", "integration", "-race", "./api"}, []string{"vet", "-tags", "integration", "./api"}},
		{"tags joined", []string{"-tags=integration", "./api"}, []string{"vet", "-tags=integration", "./api"}},
		{"no package: the current directory's, for both", []string{"-run", "X"}, []string{"vet"}},
		{"the test binary's arguments are not packages", []string{"./api", "-args", "-update", "./golden"}, []string{"vet", "./api"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := vetArgs(tc.testArgs); !slices.Equal(got, tc.want) {
				t.Fatalf("vetArgs(%q) = %q, want %q", tc.testArgs, got, tc.want)
			}
		})
	}
}

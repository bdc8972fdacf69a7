package checklists

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// libraryFiles holds the standard templates derived from the regulations
// library/README.md lists. library/README.md is embedded too so that the pattern
// compiles while the directory holds no template yet.
//
//go:embed library
var libraryFiles embed.FS

// Library parses and validates every standard template, sorted by key. An
// error names the file; a template that does not validate is a bug in the
// library, which the package tests catch before it ships.
func Library() ([]*Template, error) {
	names, err := fs.Glob(libraryFiles, "library/*.json")
	if err != nil {
		return nil, fmt.Errorf("list library: %w", err)
	}
	templates := make([]*Template, 0, len(names))
	for _, name := range names {
		data, err := libraryFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		template, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("library %s: %w", path.Base(name), err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); template.Key != want {
			return nil, fmt.Errorf("library %s: key %q does not match the file name", path.Base(name), template.Key)
		}
		templates = append(templates, template)
	}
	sort.Slice(templates, func(i, j int) bool { return templates[i].Key < templates[j].Key })
	return templates, nil
}

// LibraryReleases reads library/releases.txt: by key, the digest of every
// released version of each standard template, oldest first, the current
// one last. A digest among them is the library's own; any other is an
// organisation's edit.
func LibraryReleases() (map[string][]string, error) {
	data, err := libraryFiles.ReadFile("library/releases.txt")
	if err != nil {
		return nil, fmt.Errorf("read releases: %w", err)
	}
	out := map[string][]string{}
	for number, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, digest, ok := strings.Cut(line, " ")
		if !ok || len(digest) != 64 {
			return nil, fmt.Errorf("releases.txt line %d: want \"key digest\"", number+1)
		}
		out[key] = append(out[key], digest)
	}
	return out, nil
}

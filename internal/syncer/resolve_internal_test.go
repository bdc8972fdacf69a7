package syncer

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
)

// referenceResolve is resolve as it was first written: the path split into
// a slice, each item passed copied.
func referenceResolve(t *checklists.Template, path string) (answerTarget, *FieldError) {
	bad := &FieldError{"/payload/path", "must point at an item of the template, e.g. /door_locked or /extinguishers/0/pressure_ok"}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if !strings.HasPrefix(path, "/") || (len(parts) != 1 && len(parts) != 3) {
		return answerTarget{}, bad
	}
	var item checklists.Item
	found := false
	for _, section := range t.Sections {
		for _, candidate := range section.Items {
			if !found && candidate.Key == parts[0] {
				item, found = candidate, true
			}
		}
	}
	if !found || item.Type == checklists.TypeInstruction {
		return answerTarget{}, bad
	}
	if len(parts) == 1 {
		if item.Type == checklists.TypeGroup {
			return answerTarget{}, bad
		}
		return answerTarget{key: parts[0], index: -1}, nil
	}
	index, err := strconv.Atoi(parts[1])
	limit := 100
	if item.MaxRepeats != nil {
		limit = *item.MaxRepeats
	}
	if item.Type != checklists.TypeGroup || err != nil || index < 0 || index >= limit {
		return answerTarget{}, bad
	}
	for _, child := range item.Items {
		if child.Key == parts[2] && child.Type != checklists.TypeInstruction {
			return answerTarget{key: parts[0], index: index, child: parts[2]}, nil
		}
	}
	return answerTarget{}, bad
}

// libraryPaths are every library template and, for each, paths to each of
// its items (and a group's children) as the devices send them, and as
// they might be sent wrong.
func libraryPaths(tb testing.TB) ([]*checklists.Template, []string) {
	tb.Helper()
	templates, err := checklists.Library()
	if err != nil {
		tb.Fatal(err)
	}
	paths := []string{"", "/", "//", "door_locked", "/a/", "/a/0", "/a/0/", "/a/0/b/c", "/a/-1/b", "/a/+1/b",
		"/a/01/b", "/a/1e2/b", "/a/ 1/b", "/a/9999999999999999999999/b"}
	for _, template := range templates {
		for _, section := range template.Sections {
			for _, item := range section.Items {
				paths = append(paths, "/"+item.Key, item.Key, "/"+item.Key+"/", "/"+item.Key+"/0")
				for _, child := range item.Items {
					for _, index := range []string{"0", "1", "99", "100", "-0", "x"} {
						paths = append(paths, "/"+item.Key+"/"+index+"/"+child.Key, "/"+item.Key+"/"+index+"/"+child.Key+"/x")
					}
				}
			}
		}
	}
	return templates, paths
}

// TestResolveIsSplitAndCopy: resolve answers every path of every library
// template as the split-and-copy way does, target and problem alike.
func TestResolveIsSplitAndCopy(t *testing.T) {
	t.Parallel()
	templates, paths := libraryPaths(t)
	resolved := 0
	for _, template := range templates {
		for _, path := range paths {
			got, gotProblem := resolve(template, path)
			want, wantProblem := referenceResolve(template, path)
			if got != want || !reflect.DeepEqual(gotProblem, wantProblem) {
				t.Errorf("%s %q: %+v %v, want %+v %v", template.Key, path, got, gotProblem, want, wantProblem)
			}
			if wantProblem == nil {
				resolved++
			}
		}
	}
	if resolved == 0 {
		t.Fatal("no path resolved: the test proves nothing")
	}
}

// FuzzResolve holds resolve to the split-and-copy way on arbitrary paths,
// against every library template.
func FuzzResolve(f *testing.F) {
	templates, paths := libraryPaths(f)
	for _, path := range paths {
		f.Add(path)
	}
	f.Fuzz(func(t *testing.T, path string) {
		for _, template := range templates {
			got, gotProblem := resolve(template, path)
			want, wantProblem := referenceResolve(template, path)
			if got != want || !reflect.DeepEqual(gotProblem, wantProblem) {
				t.Fatalf("%s %q: %+v %v, want %+v %v", template.Key, path, got, gotProblem, want, wantProblem)
			}
		}
	})
}

// BenchmarkResolve resolves the 30 answers' paths of the load tool's
// template, the split-and-copy way and resolve's.
func BenchmarkResolve(b *testing.B) {
	templates, _ := libraryPaths(b)
	var template *checklists.Template
	for _, candidate := range templates {
		if candidate.Key == "cu-opening-check" {
			template = candidate
		}
	}
	var paths []string
	for _, section := range template.Sections {
		for _, item := range section.Items {
			if item.Type != checklists.TypeInstruction && item.Type != checklists.TypeGroup {
				paths = append(paths, "/"+item.Key)
			}
		}
	}
	for _, v := range []struct {
		name    string
		resolve func(*checklists.Template, string) (answerTarget, *FieldError)
	}{{"split and copy", referenceResolve}, {"cut in place", resolve}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, path := range paths {
					v.resolve(template, path)
				}
			}
		})
	}
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// browsers the bundles are lowered for: what guards' phones and
// supervisors' tablets run (WebAssembly, modules, IndexedDB v3).
var browsers = []api.Engine{
	{Name: api.EngineChrome, Version: "100"},
	{Name: api.EngineEdge, Version: "100"},
	{Name: api.EngineFirefox, Version: "110"},
	{Name: api.EngineSafari, Version: "15.4"},
	{Name: api.EngineIOS, Version: "15.4"},
}

// wasmExecImport is how engine.js imports Go's wasm_exec.js, which lives in
// the toolchain, not in the repository.
const wasmExecImport = "go:wasm_exec"

// buildApp bundles the scripts and style sheets that web/<app>/index.html
// names, rewrites index.html to their hashed names and copies the app's
// other files. An app without an index.html is skipped.
func (b *builder) buildApp(app string) error {
	source := filepath.Join(b.root, "web", app)
	html, err := os.ReadFile(filepath.Join(source, "index.html"))
	if errors.Is(err, fs.ErrNotExist) {
		b.manifest.Skipped = append(b.manifest.Skipped, app)
		return nil
	}
	if err != nil {
		return err
	}
	var entries []api.EntryPoint
	seen := map[string]bool{}
	for _, match := range reference.FindAllSubmatch(html, -1) {
		value := string(match[2])
		if !localAsset(value) || seen[value] {
			continue
		}
		seen[value] = true
		entries = append(entries, api.EntryPoint{InputPath: filepath.Join(source, filepath.FromSlash(value))})
	}
	// The engine is its own entry: the app's scripts share it as a chunk,
	// and tests and tools can import it by the URL build.json gives.
	engineSource := filepath.Join(b.root, "web", "shared", "engine.js")
	if fileExists(engineSource) {
		entries = append(entries, api.EntryPoint{InputPath: engineSource, OutputPath: "engine"})
	}
	outputs, preloads, err := b.bundle(app, entries)
	if err != nil {
		return err
	}
	if engine, ok := outputs[engineSource]; ok {
		b.manifest.Engine[app] = "/" + engine
	}
	rewritten := reference.ReplaceAllFunc(html, func(attribute []byte) []byte {
		match := reference.FindSubmatch(attribute)
		value := string(match[2])
		if !localAsset(value) {
			return attribute
		}
		built := outputs[filepath.Join(source, filepath.FromSlash(value))]
		return []byte(fmt.Sprintf(`%s="%s"`, match[1], path.Base(built)))
	})
	rewritten = modulePreloads(rewritten, app, preloads)
	if err := b.write(path.Join(app, "index.html"), rewritten, false); err != nil {
		return err
	}
	statics, err := staticFiles(source)
	if err != nil {
		return err
	}
	for _, name := range statics {
		content, err := os.ReadFile(filepath.Join(source, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		if err := b.write(path.Join(app, name), content, false); err != nil {
			return err
		}
	}
	return nil
}

// bundle runs esbuild on an app's entry points and writes what it made,
// returning each entry's output as a dist-relative path, and for each
// output the chunks it imports statically, directly or not (dist-relative).
func (b *builder) bundle(app string, entries []api.EntryPoint) (map[string]string, map[string][]string, error) {
	outdir := filepath.Join(b.out, app)
	result := api.Build(api.BuildOptions{
		EntryPointsAdvanced: entries,
		AbsWorkingDir:       b.root,
		Outdir:              outdir,
		Bundle:              true,
		Splitting:           true,
		Format:              api.FormatESModule,
		MinifyWhitespace:    true,
		MinifyIdentifiers:   true,
		MinifySyntax:        true,
		Target:              api.ES2020,
		Engines:             browsers,
		EntryNames:          "[name]-[hash]",
		ChunkNames:          "chunk-[hash]",
		AssetNames:          "assets/[name]-[hash]",
		Loader:              assetLoaders,
		LegalComments:       api.LegalCommentsNone,
		Charset:             api.CharsetUTF8,
		Define:              map[string]string{"PATROLSYNC_ENGINE_WASM": jsonString(b.engineWasm)},
		Plugins:             []api.Plugin{wasmExecPlugin()},
		Metafile:            true,
		Write:               false,
		LogLevel:            api.LogLevelSilent,
	})
	if err := buildErrors(result.Errors); err != nil {
		return nil, nil, err
	}
	for _, file := range result.OutputFiles {
		relative, err := filepath.Rel(b.out, file.Path)
		if err != nil {
			return nil, nil, err
		}
		if err := b.write(filepath.ToSlash(relative), file.Contents, true); err != nil {
			return nil, nil, err
		}
	}
	return entryOutputs(b.root, b.out, result.Metafile)
}

// modulePreloads names, before each module script of a page, the chunks
// that script imports statically, as <link rel="modulepreload">: the
// browser fetches and compiles them with the script instead of finding
// them only once the script is parsed, one round trip (through the
// service worker) later.
func modulePreloads(html []byte, app string, preloads map[string][]string) []byte {
	return moduleScript.ReplaceAllFunc(html, func(tag []byte) []byte {
		source := moduleScript.FindSubmatch(tag)[1]
		var links strings.Builder
		for _, chunk := range preloads[path.Join(app, string(source))] {
			fmt.Fprintf(&links, "<link rel=\"modulepreload\" href=\"%s\">\n", path.Base(chunk))
		}
		return append([]byte(links.String()), tag...)
	})
}

// moduleScript is an index.html's <script type="module" src="…">.
var moduleScript = regexp.MustCompile(`<script type="module" src="([^"]+)"></script>`)

// assetLoaders copy files that style sheets reference (fonts, images) next
// to the bundle under hashed names.
var assetLoaders = map[string]api.Loader{
	".png": api.LoaderFile, ".svg": api.LoaderFile, ".jpg": api.LoaderFile, ".webp": api.LoaderFile,
	".woff": api.LoaderFile, ".woff2": api.LoaderFile, ".ttf": api.LoaderFile,
}

// entryOutputs maps each entry point (absolute path) to the dist-relative
// path of its bundle, and each entry's bundle to the chunks it imports
// statically (directly or through another chunk, in a fixed order), read
// from esbuild's metafile.
func entryOutputs(root, out, metafile string) (map[string]string, map[string][]string, error) {
	var meta struct {
		Outputs map[string]struct {
			EntryPoint string `json:"entryPoint"`
			Imports    []struct {
				Path string `json:"path"`
				Kind string `json:"kind"`
			} `json:"imports"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &meta); err != nil {
		return nil, nil, fmt.Errorf("esbuild metafile: %w", err)
	}
	distPath := func(output string) (string, error) {
		relative, err := filepath.Rel(out, filepath.Join(root, output))
		return filepath.ToSlash(relative), err
	}
	outputs := map[string]string{}
	preloads := map[string][]string{}
	for output, info := range meta.Outputs {
		if info.EntryPoint == "" {
			continue
		}
		built, err := distPath(output)
		if err != nil {
			return nil, nil, err
		}
		outputs[filepath.Join(root, info.EntryPoint)] = built
		seen := map[string]bool{output: true}
		for next := []string{output}; len(next) > 0; next = next[1:] {
			for _, imported := range meta.Outputs[next[0]].Imports {
				if imported.Kind != "import-statement" || seen[imported.Path] {
					continue
				}
				seen[imported.Path] = true
				next = append(next, imported.Path)
				chunk, err := distPath(imported.Path)
				if err != nil {
					return nil, nil, err
				}
				preloads[built] = append(preloads[built], chunk)
			}
		}
	}
	return outputs, preloads, nil
}

// wasmExecPlugin resolves `import "go:wasm_exec"` to the toolchain's
// wasm_exec.js, so it is bundled with the engine glue.
func wasmExecPlugin() api.Plugin {
	return api.Plugin{Name: "wasm-exec", Setup: func(build api.PluginBuild) {
		build.OnResolve(api.OnResolveOptions{Filter: "^go:wasm_exec$"}, func(api.OnResolveArgs) (api.OnResolveResult, error) {
			file, err := wasmExecPath()
			return api.OnResolveResult{Path: file}, err
		})
	}}
}

// buildErrors turns esbuild's messages into one error naming each place.
func buildErrors(messages []api.Message) error {
	if len(messages) == 0 {
		return nil
	}
	var lines []string
	for _, message := range messages {
		where := ""
		if message.Location != nil {
			where = fmt.Sprintf("%s:%d:%d: ", message.Location.File, message.Location.Line, message.Location.Column)
		}
		lines = append(lines, where+message.Text)
	}
	return errors.New("esbuild:\n  " + strings.Join(lines, "\n  "))
}

// buildServiceWorker bundles web/app/sw.js as a classic script (module
// service workers are not in every phone's browser) with two constants:
// SHELL_FILES, the URLs of every file of the app, and SHELL_VERSION, a
// hash of their contents. Any change of the
// shell changes the version, so the browser installs the new worker,
// which caches the new shell under a new name and drops the old one.
func (b *builder) buildServiceWorker() error {
	source := filepath.Join(b.root, "web", "app", "sw.js")
	if !fileExists(source) {
		return nil
	}
	files, version := b.shell()
	result := api.Build(api.BuildOptions{
		EntryPoints:       []string{source},
		AbsWorkingDir:     b.root,
		Bundle:            true,
		Format:            api.FormatIIFE,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Target:            api.ES2020,
		Engines:           browsers,
		LegalComments:     api.LegalCommentsNone,
		Charset:           api.CharsetUTF8,
		Define: map[string]string{
			"SHELL_FILES":            jsonString(files),
			"SHELL_VERSION":          jsonString(version),
			"PATROLSYNC_ENGINE_WASM": jsonString(b.engineWasm),
		},
		Write:    false,
		LogLevel: api.LogLevelSilent,
	})
	if err := buildErrors(result.Errors); err != nil {
		return fmt.Errorf("service worker: %w", err)
	}
	b.manifest.ShellVersion = version
	return b.write("app/sw.js", result.OutputFiles[0].Contents, false)
}

// shell lists the URLs of the guard app's files (index.html as /app/) and
// hashes their contents, in a fixed order.
func (b *builder) shell() ([]string, string) {
	var names []string
	for name := range b.manifest.Files {
		if strings.HasPrefix(name, "app/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var urls []string
	var digest strings.Builder
	for _, name := range names {
		url := "/" + name
		if name == "app/index.html" {
			url = "/app/"
		}
		urls = append(urls, url)
		fmt.Fprintf(&digest, "%s %s\n", name, b.manifest.Files[name].SHA256)
	}
	return urls, shortHash([]byte(digest.String()))
}

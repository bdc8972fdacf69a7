package main

import "strings"

// vetArgs are the arguments of go vet for the arguments of go test: the
// packages they name, so that a run of one package vets that package and
// not the whole module, and the build tags, so that it vets the files the
// tests build. With no package named, go test tests the package in the
// current directory, and go vet with no package vets the same.
func vetArgs(testArgs []string) []string {
	args := []string{"vet"}
	for i := 0; i < len(testArgs); i++ {
		arg := testArgs[i]
		if arg == "-args" || arg == "--args" {
			break // the rest goes to the test binary
		}
		name, hasValue, isFlag := flagName(arg)
		switch {
		case !isFlag:
			args = append(args, arg)
		case name == "tags" && hasValue:
			args = append(args, arg)
		case name == "tags" && i+1 < len(testArgs):
			args = append(args, arg, testArgs[i+1])
			i++
		case !hasValue && testFlagsWithValue[name]:
			i++ // the flag's value is the next argument, not a package
		}
	}
	return args
}

// flagName splits "-run=X" or "--run" into its name ("run") and whether
// the value came with it.
func flagName(arg string) (name string, hasValue, isFlag bool) {
	if len(arg) < 2 || arg[0] != '-' {
		return "", false, false
	}
	name = strings.TrimPrefix(arg[1:], "-")
	name, _, hasValue = strings.Cut(name, "=")
	return name, hasValue, true
}

// testFlagsWithValue are the flags of go test (its build flags and the
// test binary's flags it knows) that take a value, which may come as the
// next argument: "-run Pattern". The boolean ones (-v, -race, -short,
// -json, -failfast, -cover, -benchmem, ...) take none.
var testFlagsWithValue = map[string]bool{
	// go test and the test binary
	"bench": true, "benchtime": true, "blockprofile": true, "blockprofilerate": true, "count": true,
	"coverprofile": true, "covermode": true, "coverpkg": true, "cpu": true, "cpuprofile": true,
	"exec": true, "fuzz": true, "fuzzminimizetime": true, "fuzztime": true, "list": true,
	"memprofile": true, "memprofilerate": true, "mutexprofile": true, "mutexprofilefraction": true,
	"o": true, "outputdir": true, "parallel": true, "run": true, "shuffle": true, "skip": true,
	"timeout": true, "trace": true, "vet": true,
	// build flags
	"asmflags": true, "buildmode": true, "buildvcs": true, "C": true, "compiler": true,
	"gccgoflags": true, "gcflags": true, "installsuffix": true, "ldflags": true, "mod": true,
	"modfile": true, "overlay": true, "p": true, "pgo": true, "pkgdir": true, "tags": true, "toolexec": true,
}

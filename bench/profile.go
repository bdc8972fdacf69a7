package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// cpuProfiler is --cpuprofile: a CPU profile of the load tool itself over
// the measured window, to see where the tool spends the CPU it takes from
// the server it measures. Sampling adds a little to the tool's own CPU
// figure, so the figures of a profiled run are not the ones to compare.
type cpuProfiler struct {
	path     string
	progress io.Writer
	file     *os.File
}

func (p *cpuProfiler) begin(context.Context) {
	file, err := os.Create(p.path)
	if err == nil {
		if err = pprof.StartCPUProfile(file); err != nil {
			file.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(p.progress, "--cpuprofile: %v\n", err)
		return
	}
	p.file = file
}

func (p *cpuProfiler) end(context.Context) {
	if p.file == nil {
		return
	}
	pprof.StopCPUProfile()
	if err := p.file.Close(); err != nil {
		fmt.Fprintf(p.progress, "--cpuprofile: %v\n", err)
	}
	p.file = nil
}

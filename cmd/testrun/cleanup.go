package main

import "sync"

// cleanups stops what testrun started, last first, exactly once.
type cleanups struct {
	mu    sync.Mutex
	steps []func()
}

func (c *cleanups) add(step func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, step)
}

func (c *cleanups) run() {
	c.mu.Lock()
	steps := c.steps
	c.steps = nil
	c.mu.Unlock()
	for i := len(steps) - 1; i >= 0; i-- {
		steps[i]()
	}
}

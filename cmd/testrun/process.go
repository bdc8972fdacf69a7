package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// goTool is the go command that runs us, so a bare PATH still works.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if path := filepath.Join(root, "bin", "go"); isExecutable(path) {
			return path
		}
	}
	if path, err := exec.LookPath("go"); err == nil {
		return path
	}
	// testrun runs under `go run`, so the GOROOT it was built with is the
	// toolchain that is running it: the one deprecated use that is sound.
	//lint:ignore SA1019 built and run by the same toolchain (go run)
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// freePort asks the kernel for an unused loopback port. Another process
// could take it before the server binds; callers retry on a failed start.
func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

// hostPort joins a loopback address.
func hostPort(port int) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// server is a long-running child: in its own process group so that a
// terminal's Ctrl-C leaves it to us, and killed by the kernel if testrun
// dies without cleaning up.
type server struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // set before exited closes
}

// startServer starts cmd with output to logPath.
func startServer(name string, cmd *exec.Cmd, logPath string, deathSignal syscall.Signal) (*server, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = deathSignal
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd, exited: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	return s, nil
}

// stop sends sig and waits up to grace before killing the group.
func (s *server) stop(sig syscall.Signal, grace time.Duration) {
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(grace):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
}

// waitReady polls ready until it succeeds, the server exits, the deadline
// passes or ctx ends.
func (s *server) waitReady(ctx context.Context, timeout time.Duration, ready func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		last = ready(attempt)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited during start-up (%v)", s.name, s.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s: %v", s.name, timeout, last)
		}
	}
}

// tail returns the last lines of a log, for failure messages.
func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return "\n\t" + strings.Join(all, "\n\t")
}

// streamCommand runs a setup command (an install) with every output line
// prefixed, so a slow install shows progress.
func streamCommand(ctx context.Context, prefix string, cmd *exec.Cmd) error {
	reader, writer := io.Pipe()
	cmd.Stdout, cmd.Stderr = writer, writer
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	done := make(chan struct{})
	go func() {
		scanner := bufio.NewScanner(reader)
		for scanner.Scan() {
			logf("%s: %s", prefix, scanner.Text())
		}
		close(done)
	}()
	logf("%s: running %s", prefix, shellJoin(cmd.Args))
	err := cmd.Run()
	writer.Close()
	<-done
	if err != nil && ctx.Err() != nil {
		return errors.Join(ctx.Err(), err)
	}
	return err
}

// shellJoin renders a command line for logs.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, arg := range args {
		if arg == "" || strings.ContainsAny(arg, " \t\"'$\\") {
			arg = strconv.Quote(arg)
		}
		quoted[i] = arg
	}
	return strings.Join(quoted, " ")
}

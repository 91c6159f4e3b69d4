package testcluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Measured is one run of a binary: how it ended, how long it took, its memory.
type Measured struct {
	Code    int
	Stderr  string
	Elapsed time.Duration
	// MaxRSS is rusage's maxrss in bytes. The child of a vfork (os/exec starts processes
	// so) inherits the parent's RSS as its floor, so it is an upper bound of the peak.
	MaxRSS int64
	// HWM is the last VmHWM (bytes) read from /proc every 10ms while it ran: the exec'd
	// process's own peak RSS, up to its last few milliseconds.
	HWM int64
	// ParentHWM is the test process's own VmHWM once the binary ended (VmHWM only grows, so
	// it bounds whatever RSS the vfork'd child inherited, even when parallel subtests grew
	// the test process while the binary ran): MaxRSS at or below it says nothing of the binary.
	ParentHWM int64
	Killed    bool // still running after the limit
}

// Peak is the binary's peak RSS: MaxRSS when it is above the parent's floor (then it is
// the binary's own, to the last byte), else HWM.
func (m Measured) Peak() int64 {
	if m.MaxRSS > m.ParentHWM {
		return max(m.MaxRSS, m.HWM)
	}
	return m.HWM
}

// RunMeasured runs bin with args (stdin a file or nil, env added to the environment),
// killed after limit. EGRESS_BOUND_AS (e.g. 4G) caps its address space, and file writes at
// 1 GiB, with prlimit, to measure a build whose memory (or temporary file) is unbounded
// without taking the machine down.
func RunMeasured(t testing.TB, limit time.Duration, stdin *os.File, env []string, bin string, args ...string) Measured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	name := bin
	if as := os.Getenv("EGRESS_BOUND_AS"); as != "" {
		name, args = "prlimit", append([]string{"--as=" + as, "--fsize=1073741824", "--", bin}, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr, cmd.WaitDelay = io.Discard, &stderr, 5*time.Second
	if stdin != nil {
		cmd.Stdin = stdin
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("run %s: %v", bin, err)
	}
	hwm := pollHWM(cmd.Process.Pid)
	_ = cmd.Wait()
	parent := readHWM(os.Getpid())
	m := Measured{Code: cmd.ProcessState.ExitCode(), Stderr: stderr.String(), Elapsed: time.Since(start), HWM: <-hwm, ParentHWM: parent, Killed: ctx.Err() != nil}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.MaxRSS = ru.Maxrss << 10 // kilobytes on Linux
	}
	return m
}

// String is the figures, for a test log line.
func (m Measured) String() string {
	return fmt.Sprintf("%7.2fs  peak %7.1f MB (rusage %7.1f MB, VmHWM %7.1f MB, test process %7.1f MB)  exit %d",
		m.Elapsed.Seconds(), float64(m.Peak())/(1<<20), float64(m.MaxRSS)/(1<<20), float64(m.HWM)/(1<<20), float64(m.ParentHWM)/(1<<20), m.Code)
}

// pollHWM reads the process's VmHWM every 10ms until it is reaped, then sends the last.
func pollHWM(pid int) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var last int64
		for {
			v := readHWM(pid)
			if v < 0 {
				out <- last
				return
			}
			last = max(last, v)
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return out
}

// readHWM is a process's VmHWM in bytes: 0 when it has none (a zombie), -1 when gone.
func readHWM(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

//go:build unix

package emulatortest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// processAlive reports whether pid runs; a zombie (exited, not yet reaped by
// whoever inherited it) counts as gone.
func processAlive(pid int) bool {
	if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) {
			return stat[i+2] != 'Z'
		}
	} else if _, serr := os.Stat("/proc/self"); serr == nil {
		return false // /proc works and has no entry: gone
	}
	return syscall.Kill(pid, 0) == nil
}

// waitGone polls until pid has exited. The bound only keeps a broken
// harness from hanging the suite; it asserts no speed.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !processAlive(pid) {
			return
		}
	}
	t.Fatalf("process %d still alive", pid)
}

func TestStopEndsProcessAndFreesPort(t *testing.T) {
	e, err := StartProcess(Options{})
	if err != nil {
		t.Fatal(err)
	}
	pid, dir := e.cmd.Process.Pid, e.ownDir
	if dir == "" {
		t.Fatal("StartProcess without Dir must own a temporary directory")
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if processAlive(pid) {
		t.Fatalf("node (pid %d) still alive after Stop", pid)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("working directory %s not removed: %v", dir, err)
	}
	if c, err := net.Dial("tcp", e.Host); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Stop", e.Host)
	}
}

// TestWatchdogEndsOrphan kills a test binary that started Azurite, skipping
// every cleanup, and checks that Azurite goes away by itself.
func TestWatchdogEndsOrphan(t *testing.T) {
	if os.Getenv("EMULATORTEST_WATCHDOG_CHILD") == "1" {
		e, err := StartProcess(Options{})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Println("PID", e.cmd.Process.Pid, e.ownDir)
		time.Sleep(time.Hour) // killed by the parent
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchdogEndsOrphan$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EMULATORTEST_WATCHDOG_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	var pid int
	var dir string
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "PID" {
			pid, _ = strconv.Atoi(f[1])
			dir = f[2]
			break
		} else if strings.HasPrefix(sc.Text(), "ERR") {
			t.Fatal(sc.Text())
		}
	}
	if pid == 0 {
		t.Fatal("child did not report Azurite's pid")
	}
	defer os.RemoveAll(dir) // the killed child cannot clean up
	if !processAlive(pid) {
		t.Fatal("Azurite not running in the child")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
}

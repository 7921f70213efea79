package jobs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where the figures were taken.
type Machine struct {
	CPU       string
	Cores     int
	MemTotal  int64 // bytes
	Kernel    string
	Go        string
	Node      string
	Azurite   string
	SDK       map[string]string // module path → version
	Load1     float64           // 1-minute load average at the start
	Load1End  float64
	GOMAXPROC int
}

// ReadMachine collects the machine description; root is the repository
// root (for the pinned Azurite's package.json).
func ReadMachine(root string) Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), GOMAXPROC: runtime.GOMAXPROCS(0), SDK: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				m.MemTotal = n << 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := exec.Command("node", "--version").Output(); err == nil {
		m.Node = strings.TrimSpace(string(b))
	}
	var pkg struct{ Version string }
	if b, err := os.ReadFile(filepath.Join(root, "emulatortest", "node_modules", "azurite", "package.json")); err == nil && json.Unmarshal(b, &pkg) == nil {
		m.Azurite = pkg.Version
	}
	// The SDK versions are the bench module's requirements (go.mod is the
	// truth for every binary built from it, sdkcli included).
	if b, err := os.ReadFile(filepath.Join(root, "bench", "go.mod")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "require" {
				f = f[1:]
			}
			if len(f) >= 2 {
				if p, ok := strings.CutPrefix(f[0], "github.com/Azure/azure-sdk-for-go/sdk/"); ok {
					m.SDK[p] = f[1]
				}
			}
		}
	}
	m.Load1 = Load1()
	return m
}

// Load1 returns the 1-minute load average (0 where unknown).
func Load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// BusyCPU returns the CPU time, in seconds, all CPUs of the machine have
// spent running processes since boot (/proc/stat: user, nice, system),
// and the time the hypervisor gave this machine's CPUs to someone else
// (steal); 0, 0 where /proc is missing. Interrupt and softirq time are left
// out: loopback networking runs there and is charged to no process, so it
// would count this run's own traffic as someone else's work.
func BusyCPU() (busy, steal float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0
	}
	v := func(i int) float64 { x, _ := strconv.ParseFloat(f[i], 64); return x / userHZ }
	return v(1) + v(2) + v(3), v(8)
}

// userHZ is the unit of /proc/stat on Linux (USER_HZ, 100 on every
// architecture Go supports).
const userHZ = 100

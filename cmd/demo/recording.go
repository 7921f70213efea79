package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// The recording generator writes something shaped like a real session
// recording: a session.start event, then a long stream of print events
// carrying terminal output (prompts, commands, listings, logs, progress
// bars, ANSI colours) with growing timestamps and byte offsets, occasional
// resize events, and a session.end. The terminal bytes are base64, as in
// recordings that carry raw PTY output, so the data compresses about as
// badly as the real thing. A seed makes it reproducible.

var (
	demoUsers    = []string{"alice", "bob", "carol", "deploy", "root"}
	demoHosts    = []string{"db-01", "web-03", "bastion", "k8s-node-7", "build-2"}
	demoCommands = []string{
		"ls -la /var/log", "tail -n 50 /var/log/syslog", "kubectl get pods -A", "sudo systemctl status nginx",
		"git log --oneline -20", "df -h", "top -b -n 1 | head -30", "journalctl -u teleport --since -1h",
		"psql -c 'select count(*) from sessions'", "cat /etc/os-release", "docker ps", "make test",
		"grep -R ERROR /srv/app/logs | tail", "vim /etc/nginx/nginx.conf", "ssh-keygen -lf ~/.ssh/id_ed25519.pub",
	}
	demoWords = strings.Fields(`error warn info debug request response latency upstream connection
		timeout retry backoff session user node cluster pod container image volume mount disk
		cpu memory network packet tls certificate handshake token audit event stream upload part`)
	demoColours = []string{"\x1b[0m", "\x1b[1;32m", "\x1b[1;34m", "\x1b[0;33m", "\x1b[0;31m", "\x1b[1m"}
)

// recordingInfo is what generateRecording produced.
type recordingInfo struct {
	Size   int64
	Events int
	SHA256 string
}

// generateRecording writes at least size bytes of JSON-lines events to w
// and returns their count and SHA-256.
func generateRecording(w io.Writer, size int64, seed uint64) (recordingInfo, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sum := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, sum)}
	bw := bufio.NewWriterSize(cw, 1<<20)
	sessionID := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff)
	user := demoUsers[rng.IntN(len(demoUsers))]
	host := demoHosts[rng.IntN(len(demoHosts))]
	start := time.Date(2025, 11, 21, 3, 30, 0, 0, time.UTC)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)

	ei := 0
	emit := func(ev map[string]any) error {
		ev["ei"] = ei
		ev["sid"] = sessionID
		ei++
		return enc.Encode(ev)
	}
	if err := emit(map[string]any{"event": "session.start", "time": start.Format(time.RFC3339Nano),
		"user": user, "server_hostname": host, "login": user, "terminal_size": "120:40", "protocol": "ssh"}); err != nil {
		return recordingInfo{}, err
	}
	elapsed := time.Duration(0)
	var offset int64
	var term strings.Builder
	for {
		if cw.n+int64(bw.Buffered()) >= size {
			break
		}
		term.Reset()
		writeTerminalChunk(&term, rng, user, host)
		data := term.String()
		elapsed += time.Duration(rng.IntN(900)+5) * time.Millisecond
		ev := map[string]any{
			"event": "print", "time": start.Add(elapsed).Format(time.RFC3339Nano),
			"ms": elapsed.Milliseconds(), "offset": offset, "bytes": len(data),
			"data": base64.StdEncoding.EncodeToString([]byte(data)),
		}
		offset += int64(len(data))
		if err := emit(ev); err != nil {
			return recordingInfo{}, err
		}
		if rng.IntN(200) == 0 {
			if err := emit(map[string]any{"event": "resize", "time": start.Add(elapsed).Format(time.RFC3339Nano),
				"terminal_size": fmt.Sprintf("%d:%d", 80+rng.IntN(120), 24+rng.IntN(40))}); err != nil {
				return recordingInfo{}, err
			}
		}
	}
	if err := emit(map[string]any{"event": "session.end", "time": start.Add(elapsed).Format(time.RFC3339Nano),
		"user": user, "session_start": start.Format(time.RFC3339Nano), "session_stop": start.Add(elapsed).Format(time.RFC3339Nano)}); err != nil {
		return recordingInfo{}, err
	}
	if err := bw.Flush(); err != nil {
		return recordingInfo{}, err
	}
	return recordingInfo{Size: cw.n, Events: ei, SHA256: fmt.Sprintf("%x", sum.Sum(nil))}, nil
}

// writeTerminalChunk appends one burst of terminal output: a prompt and a
// command, or some lines of its output.
func writeTerminalChunk(b *strings.Builder, rng *rand.Rand, user, host string) {
	switch rng.IntN(6) {
	case 0:
		fmt.Fprintf(b, "\x1b[1;32m%s@%s\x1b[0m:\x1b[1;34m~\x1b[0m$ %s\r\n", user, host, demoCommands[rng.IntN(len(demoCommands))])
	case 1:
		pct := rng.IntN(101)
		fmt.Fprintf(b, "\r[%-40s] %3d%%", strings.Repeat("#", pct*40/100), pct)
	default:
		lines := 1 + rng.IntN(12)
		for range lines {
			b.WriteString(demoColours[rng.IntN(len(demoColours))])
			fmt.Fprintf(b, "2025-11-21T03:%02d:%02d.%03dZ ", rng.IntN(60), rng.IntN(60), rng.IntN(1000))
			words := 4 + rng.IntN(14)
			for i := range words {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(demoWords[rng.IntN(len(demoWords))])
				if rng.IntN(7) == 0 {
					fmt.Fprintf(b, "=%d", rng.IntN(100000))
				}
			}
			b.WriteString("\x1b[0m\r\n")
		}
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// sha256Of is the hex SHA-256 of everything r yields.
func sha256Of(r io.Reader) (string, int64, error) {
	var h hash.Hash = sha256.New()
	n, err := io.Copy(h, r)
	return fmt.Sprintf("%x", h.Sum(nil)), n, err
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/emulatortest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	size        *cli.SizeFlag
	partSize    *cli.SizeFlag
	concurrency int
	seed        uint64
	keep        bool
	workDir     string
}

// demo holds one run's state.
type demo struct {
	opts     options
	stdout   io.Writer
	stderr   io.Writer
	root     string // repository root
	work     string // temporary directory
	cli      string // built binary
	env      []string
	phases   []phase
	progress bool
}

// phase is one row of the summary.
type phase struct {
	name    string
	bytes   int64 // 0: not a data phase
	parts   int
	elapsed time.Duration
	note    string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := options{size: cli.NewSizeFlag(64 << 20), partSize: cli.NewSizeFlag(5 << 20)}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(o.size, "size", "size of the generated recording (at least this many bytes)")
	fs.Var(o.partSize, "part-size", "upload part size")
	fs.IntVar(&o.concurrency, "concurrency", 4, "parts uploaded in parallel")
	fs.Uint64Var(&o.seed, "seed", 20251121, "seed of the generated recording (same seed, same bytes)")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory (recording, download, CLI binary)")
	fs.StringVar(&o.workDir, "workdir", "", "working directory (default: a new temporary directory)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 || o.size.Bytes() < 1 || o.partSize.Bytes() < 1 || o.concurrency < 1 {
		fmt.Fprintln(stderr, "demo: want -size and -part-size of at least 1 byte, -concurrency of at least 1, and no arguments")
		return 2
	}
	d := &demo{opts: o, stdout: stdout, stderr: stderr, progress: true}
	if err := d.run(ctx); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "\ndemo: interrupted (%v)\n", err)
		} else {
			fmt.Fprintf(stderr, "\ndemo: FAILED: %v\n", err)
		}
		return 1
	}
	return 0
}

func (d *demo) step(n int, format string, args ...any) {
	fmt.Fprintf(d.stdout, "\n[%d/9] %s\n", n, fmt.Sprintf(format, args...))
}

func (d *demo) run(ctx context.Context) (err error) {
	fmt.Fprintf(d.stdout, "azblobmin demo: a %s session recording through a local Azurite, with the azblobmin CLI\n", cli.FormatSize(d.opts.size.Bytes()))

	d.step(1, "checking Go, Node.js and the pinned Azurite")
	if d.root, err = repoRoot(ctx); err != nil {
		return err
	}
	if err := ensureAzurite(ctx, d.root, d.stdout, d.stderr); err != nil {
		return err
	}

	if d.opts.workDir != "" {
		d.work = d.opts.workDir
		if err := os.MkdirAll(d.work, 0o755); err != nil {
			return err
		}
	} else {
		if d.work, err = os.MkdirTemp("", "azblobmin-demo-"); err != nil {
			return err
		}
		if !d.opts.keep {
			defer os.RemoveAll(d.work)
		}
	}

	d.step(2, "starting Azurite (in-memory, loopback, free port)")
	t0 := time.Now()
	emu, err := emulatortest.StartProcess(emulatortest.Options{AzuritePath: filepath.Join(d.root, "emulatortest", "node_modules", ".bin", "azurite-blob")})
	if err != nil {
		return fmt.Errorf("starting Azurite: %w", err)
	}
	// Stopped on every path out of here: success, failed step, Ctrl-C.
	defer func() {
		if serr := emu.Stop(); serr != nil {
			fmt.Fprintf(d.stderr, "demo: stopping Azurite: %v\n", serr)
		} else {
			fmt.Fprintf(d.stdout, "Azurite stopped.\n")
		}
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(d.stderr, "--- last Azurite output ---\n%s\n---\n", tail(emu.Logs(), 2000))
		}
	}()
	fmt.Fprintf(d.stdout, "      Azurite answers on %s (started in %.1fs)\n", emu.Host, time.Since(t0).Seconds())
	url := "azblob-http://" + emu.Host + "/" + emu.AccountName
	// The key goes to the CLI in its environment, never on its command line.
	d.env = append(filterEnv(os.Environ()), "AZBLOBMIN_URL="+url, "AZURE_STORAGE_KEY="+emu.AccountKey)

	d.step(3, "building the azblobmin CLI")
	t0 = time.Now()
	d.cli = filepath.Join(d.work, "azblobmin"+exeSuffix())
	build := exec.CommandContext(ctx, goTool(), "build", "-o", d.cli, "./cmd/azblobmin")
	build.Dir, build.Stdout, build.Stderr = d.root, d.stderr, d.stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/azblobmin: %w", err)
	}
	fmt.Fprintf(d.stdout, "      %s (%.1fs)\n", d.cli, time.Since(t0).Seconds())

	d.step(4, "generating a session recording (JSON-lines audit events with terminal output)")
	recPath := filepath.Join(d.work, "recording.jsonl")
	t0 = time.Now()
	info, err := writeRecording(recPath, d.opts.size.Bytes(), d.opts.seed)
	if err != nil {
		return fmt.Errorf("generating the recording: %w", err)
	}
	d.phases = append(d.phases, phase{name: "generate", bytes: info.Size, elapsed: time.Since(t0)})
	fmt.Fprintf(d.stdout, "      %s: %s, %d events, sha256 %s\n", recPath, cli.FormatSize(info.Size), info.Events, info.SHA256)

	d.step(5, "uploading the parts: azblobmin upload -no-complete -part-size %s -concurrency %d", d.opts.partSize, d.opts.concurrency)
	var up struct {
		SessionID string `json:"session_id"`
		UploadID  string `json:"upload_id"`
		URL       string `json:"url"`
		Size      int64  `json:"size"`
		Parts     int    `json:"parts"`
		Completed bool   `json:"completed"`
	}
	t0 = time.Now()
	if err := d.cliJSON(ctx, &up, "upload", "-no-complete", "-json", "-progress",
		"-part-size", d.opts.partSize.String(), "-concurrency", fmt.Sprint(d.opts.concurrency), recPath); err != nil {
		return err
	}
	d.phases = append(d.phases, phase{name: "upload parts", bytes: up.Size, parts: up.Parts, elapsed: time.Since(t0)})
	if up.Size != info.Size || up.Completed {
		return fmt.Errorf("upload reported %d bytes (completed=%v); want %d bytes, not completed", up.Size, up.Completed, info.Size)
	}
	fmt.Fprintf(d.stdout, "      session %s, upload %s: %d parts stored, not completed yet\n", up.SessionID, up.UploadID, up.Parts)

	d.step(6, "listing the upload while it is in progress: azblobmin uploads, azblobmin parts")
	t0 = time.Now()
	if err := d.cliShow(ctx, "uploads"); err != nil {
		return err
	}
	var parts struct {
		Parts     []json.RawMessage `json:"parts"`
		TotalSize int64             `json:"total_size"`
		Missing   []int64           `json:"missing"`
	}
	if err := d.cliJSON(ctx, &parts, "parts", "-json", "-session-id", up.SessionID, "-upload-id", up.UploadID); err != nil {
		return err
	}
	d.phases = append(d.phases, phase{name: "list", parts: len(parts.Parts), elapsed: time.Since(t0)})
	if len(parts.Parts) != up.Parts || parts.TotalSize != info.Size || len(parts.Missing) != 0 {
		return fmt.Errorf("parts lists %d parts, %d bytes, missing %v; want %d parts, %d bytes", len(parts.Parts), parts.TotalSize, parts.Missing, up.Parts, info.Size)
	}
	fmt.Fprintf(d.stdout, "      azblobmin parts: %d parts, %s, none missing\n", len(parts.Parts), cli.FormatSize(parts.TotalSize))

	d.step(7, "completing the upload (parts composed inside the service): azblobmin complete")
	var done struct {
		URL   string `json:"url"`
		Parts int    `json:"parts"`
	}
	t0 = time.Now()
	if err := d.cliJSON(ctx, &done, "complete", "-json", "-session-id", up.SessionID, "-upload-id", up.UploadID); err != nil {
		return err
	}
	d.phases = append(d.phases, phase{name: "complete", bytes: info.Size, parts: done.Parts, elapsed: time.Since(t0), note: "server-side copy"})
	fmt.Fprintf(d.stdout, "      recording: %s\n", done.URL)
	var left struct {
		Uploads []json.RawMessage `json:"uploads"`
	}
	if err := d.cliJSON(ctx, &left, "uploads", "-json"); err != nil {
		return err
	}
	if len(left.Uploads) != 0 {
		return fmt.Errorf("%d uploads still in progress after complete; want 0", len(left.Uploads))
	}

	d.step(8, "downloading the recording: azblobmin download")
	outPath := filepath.Join(d.work, "downloaded.jsonl")
	var dl struct {
		Size int64 `json:"size"`
	}
	t0 = time.Now()
	if err := d.cliJSON(ctx, &dl, "download", "-json", "-progress", "-session-id", up.SessionID, outPath); err != nil {
		return err
	}
	d.phases = append(d.phases, phase{name: "download", bytes: dl.Size, elapsed: time.Since(t0)})

	d.step(9, "verifying the SHA-256 of the download")
	t0 = time.Now()
	f, err := os.Open(outPath)
	if err != nil {
		return err
	}
	got, n, err := sha256Of(f)
	f.Close()
	if err != nil {
		return err
	}
	d.phases = append(d.phases, phase{name: "verify", bytes: n, elapsed: time.Since(t0)})
	if got != info.SHA256 || n != info.Size {
		return fmt.Errorf("download differs: %d bytes sha256 %s, want %d bytes sha256 %s", n, got, info.Size, info.SHA256)
	}
	fmt.Fprintf(d.stdout, "      sha256 %s  OK (%d bytes, identical)\n", got, n)

	d.printSummary(info, up.Parts)
	return nil
}

// writeRecording generates the recording into path.
func writeRecording(path string, size int64, seed uint64) (recordingInfo, error) {
	f, err := os.Create(path)
	if err != nil {
		return recordingInfo{}, err
	}
	info, err := generateRecording(f, size, seed)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return info, err
}

func (d *demo) printSummary(info recordingInfo, parts int) {
	fmt.Fprintf(d.stdout, "\nsummary: %s recording (%d events) in %d parts of %s, %d in parallel\n",
		cli.FormatSize(info.Size), info.Events, parts, cli.FormatSize(d.opts.partSize.Bytes()), d.opts.concurrency)
	t := cli.NewTable("PHASE", "SIZE", "PARTS", "SECONDS", "MiB/s", "")
	for _, p := range d.phases {
		size, rate, n := "-", "-", "-"
		if p.bytes > 0 {
			size, rate = cli.FormatSize(p.bytes), cli.MiBPerSecond(p.bytes, p.elapsed)
		}
		if p.parts > 0 {
			n = fmt.Sprint(p.parts)
		}
		t.Row(p.name, size, n, fmt.Sprintf("%.2f", p.elapsed.Seconds()), rate, p.note)
	}
	var b strings.Builder
	t.WriteTo(&b)
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		fmt.Fprintf(d.stdout, "  %s\n", l)
	}
	fmt.Fprintf(d.stdout, "sha256 %s: download identical to the original\n", info.SHA256)
}

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/bench/internal/jobs"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1GiB": 1 << 30, "5MiB": 5 << 20, "1KiB": 1024, "4096": 4096, "7B": 7} {
		got, err := parseSize("-size", in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "0", "-1MiB", "1GB", "lots"} {
		_, err := parseSize("-size", bad)
		require.ErrorContains(t, err, "-size", bad)
	}
}

func TestParseFlags(t *testing.T) {
	_, err := parseFlags(nil)
	require.ErrorContains(t, err, "-out is required")
	_, err = parseFlags([]string{"-out", "x", "-jobs", "sign,nope"})
	require.ErrorContains(t, err, `unknown job "nope"`)
	_, err = parseFlags([]string{"-out", "x", "-sweep", "1,0"})
	require.ErrorContains(t, err, "-sweep")
	cfg, err := parseFlags([]string{"-out", "x"})
	require.NoError(t, err)
	require.Equal(t, int64(1<<30), cfg.Size)
	require.Equal(t, 5<<20, cfg.PartSize)
	require.Equal(t, []int{1, 5, 8, 16, 32, 64}, cfg.Sweep)
	require.Len(t, cfg.Jobs, 5)
	require.Empty(t, nonDefault(cfg), "the defaults are the committed configuration")
}

func child(cpu, rss float64) jobs.ChildResult {
	return jobs.ChildResult{UserSec: cpu * 0.7, SysSec: cpu * 0.3, WallSec: cpu * 2, VmHWM: int64(rss * (1 << 20)), MaxRSS: int64(rss * (1 << 20)), PeakHeap: int64(rss / 2 * (1 << 20)), Bytes: 1}
}

func fakeResults(t *testing.T) *results {
	cfg, err := parseFlags([]string{"-out", "x"})
	require.NoError(t, err)
	rep := func(r jobs.ChildResult) []jobs.ChildResult { return []jobs.ChildResult{r, r, r, r, r} }
	op := func(ns, allocs float64) jobs.Op { return jobs.Op{Ns: ns, Allocs: allocs} }
	sign := jobs.SignResult{Ours: op(1200, 4), OursOwn: op(1300, 4), SDKWith: op(5000, 70), SDKWithout: op(2000, 35), SDK: op(3000, 35), HMAC: op(250, 0)}
	return &results{
		Config:  cfg,
		Machine: jobs.Machine{CPU: "Test CPU", Cores: 2, Go: "go1.x", Azurite: "3.37.0", SDK: map[string]string{"storage/azblob": "v1.7.0"}},
		Started: time.Unix(0, 0), Finished: time.Unix(600, 0),
		Sign: []jobs.SignResult{sign, sign, sign, sign, sign},
		Multipart: map[string][]jobs.ChildResult{
			"sink/floor": rep(child(0.016, 18)), "sink/floorcrc": rep(child(0.052, 18)),
			"sink/ours": rep(child(0.057, 19)), "sink/sdk": rep(child(0.095, 80)),
			"azurite/floorcrc": rep(child(0.08, 18)), "azurite/ours": rep(child(0.11, 20)), "azurite/sdk": rep(child(0.2, 80)),
		},
		Complete:       map[int][]float64{5: {3, 3, 3, 3, 3}, 32: {2, 2, 2, 2, 2}},
		CompleteSDK:    []float64{2.5, 2.5, 2.5, 2.5, 2.5},
		CompletePhases: map[int][]map[string]jobs.Phase{5: {{"Put Block From URL": {Requests: 1000, Seconds: 2}}}, 32: {{"Put Block From URL": {Requests: 1000, Seconds: 1}}}},
		Stream: map[string][]jobs.ChildResult{
			"sink/floor": rep(child(1, 50)), "sink/ours": rep(child(1, 40)), "sink/sdk": rep(child(2, 100)),
			"azurite/ours": rep(child(3, 50)), "azurite/sdk": rep(child(4, 120)),
		},
		OursCLI:  jobs.BinaryResult{Main: "m", Size: 8_100_000, Deps: []string{"jwt@v5", "uuid@v1"}},
		SDKCLI:   jobs.BinaryResult{Main: "s", Size: 9_100_000, Deps: make([]string, 12)},
		FloorCLI: jobs.BinaryResult{Main: "f", Size: 5_800_000},
	}
}

func TestRenderReport(t *testing.T) {
	md := renderReport(fakeResults(t))
	for _, want := range []string{
		"# Benchmarks: azblobmin next to the Azure SDK for Go",
		"cd bench && go run ./cmd/benchreport -out ../BENCHMARKS.md",
		"median of 5 rounds** (9 for the multipart job",
		"| CPU | Test CPU",
		"Azurite | 3.37.0",
		// sign: 1200/3000 = 0.40 (missed), 4/35 = 0.11 (met)
		"0.40× ns (**missed**); 0.11× allocs (met)",
		"**Signing time, 0.40× of the SDK (target ≤ ¼).**",
		// multipart: 57/16 = 3.56× floor, 57/95 = 0.60× SDK
		"3.56× floor (**missed**); 0.60× SDK (**missed**)",
		"**Multipart CPU, 3.56× the floor (target ≤ 1.3×).**",
		"best concurrency 32, 1.50× faster than at Teleport's 5",
		"**Multipart CPU against Azurite, 0.55× of the SDK (target ≤ ½; against the sink: 0.60×, missed too).**",
		"time at concurrency 32",
		"peak heap ≤ block × (concurrency + 2) = 48.0 MiB",
		"8.10 MB (7.72 MiB); 3 modules (main + 2)",
		"## Noise",
		"## Reproduce",
	} {
		require.Contains(t, md, want)
	}
	require.NotContains(t, md, "Not the committed configuration")
	require.NotContains(t, md, "%!", "a formatting verb went wrong")
}

func TestRenderReportFlagsNonDefaultRuns(t *testing.T) {
	res := fakeResults(t)
	res.Config.Runs = 1
	res.Config.Size = 64 << 20
	md := renderReport(res)
	require.Contains(t, md, "**Not the committed configuration:** 1 rounds; stream size 64 MiB.")
	require.True(t, strings.Contains(md, "median of 1 rounds"))
}

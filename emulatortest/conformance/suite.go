package conformance

import "testing"

// A Scenario is one named check of the suite. Run takes a testing.TB so
// that a scenario can also be driven with a recording TB (to prove the
// suite fails when a handler is wrong).
type Scenario struct {
	Name string
	Run  func(t testing.TB, env Env)
}

// Scenarios returns every scenario Run runs, in order.
func Scenarios() []Scenario {
	return []Scenario{
		{"ManyParts", ManyParts},
		{"FlakyParts", FlakyParts},
		{"ReplacePart", ReplacePart},
		{"ResumeAfterStaged", ResumeAfterStaged},
		{"InterruptAfterCommit", InterruptAfterCommit},
		{"InterruptMidCleanup", InterruptMidCleanup},
		{"LostMarkerAnswer", LostMarkerAnswer},
		{"LostBlockListAnswer", LostBlockListAnswer},
		{"LostEveryFirstAnswer", LostEveryFirstAnswer},
		{"DoubleCompletion", DoubleCompletion},
		{"TwoHandlersAtOnce", TwoHandlersAtOnce},
		{"ConflictingUpload", ConflictingUpload},
		{"EmptyUpload", EmptyUpload},
		{"AbortUpload", AbortUpload},
		{"ListUploads", ListUploads},
		{"DownloadMissing", DownloadMissing},
		{"SingleShotUpload", SingleShotUpload},
		{"UploadMetadata", UploadMetadata},
		{"BadInput", BadInput},
	}
}

// Run runs every scenario of Scenarios as a subtest of t against env.
// Scenarios use fresh session ids, so they can share a store with other
// tests, but each expects exclusive use of the sessions it creates.
func Run(t *testing.T, env Env) {
	env.mustCheck(t)
	for _, s := range Scenarios() {
		t.Run(s.Name, func(t *testing.T) { s.Run(t, env) })
	}
}

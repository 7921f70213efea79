// Package jobs holds the side-by-side benchmark jobs of `make bench`: each
// job done by this project (restapi, sharedkey, uploader), by the Azure SDK
// for Go, and, where it makes sense, by plain net/http (the floor), with
// the measurement plumbing around them (child processes, rusage, peak
// heap and RSS, medians).
//
// Jobs that measure a process's CPU or memory run in a child process, one
// variant per child, so that figures are per variant: the parent re-executes
// its own binary with the job spec in an environment variable (see
// ChildEnv and MaybeRunChild).
//
// It is not a library: it lives in the nested bench module, the only place
// the Azure SDK may appear, and nothing in the root module imports it.
package jobs

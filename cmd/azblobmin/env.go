package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Environment variables the tool reads (besides the Entra ones, which the
// aadtoken chain reads).
const (
	envURL              = "AZBLOBMIN_URL"
	envAccountKey       = "AZURE_STORAGE_KEY"
	envAccountName      = "AZURE_STORAGE_ACCOUNT"
	envConnectionString = "AZURE_STORAGE_CONNECTION_STRING"
)

// secretEnvVars hold secrets; their values are added to the scrubber so that
// they can never be printed, even by a library bug.
var secretEnvVars = []string{
	envAccountKey,
	envConnectionString,
	"AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PASSWORD",
	"AZURE_STORAGE_SAS_TOKEN",
}

// maxSecretFile bounds a secret file: keys and connection strings are a
// few hundred bytes, so anything larger is the wrong file.
const maxSecretFile = 64 << 10

// layeredEnv is the environment as the uploader sees it: the process
// environment, overridden by values read from -...-file flags. A file flag
// is an explicit choice, so it also hides the other SharedKey variable that
// would otherwise take precedence.
type layeredEnv struct {
	base     func(string) string
	override map[string]string
	hidden   map[string]bool
	// source says where the SharedKey credential came from, for messages.
	source string
}

func newLayeredEnv(base func(string) string) *layeredEnv {
	return &layeredEnv{base: base, override: map[string]string{}, hidden: map[string]bool{}}
}

// Get implements the uploader's Config.Getenv.
func (e *layeredEnv) Get(k string) string {
	if v, ok := e.override[k]; ok {
		return v
	}
	if e.hidden[k] {
		return ""
	}
	return e.base(k)
}

// credentialSource describes which credential the uploader will pick, in
// the same order it does (connection string, key, Entra).
func (e *layeredEnv) credentialSource() string {
	switch {
	case e.source != "":
		return e.source
	case e.Get(envConnectionString) != "":
		return "SharedKey from " + envConnectionString
	case e.Get(envAccountKey) != "":
		return "SharedKey from " + envAccountKey
	default:
		return "Entra ID token (aadtoken environment chain)"
	}
}

// usesSharedKey reports whether a SharedKey credential is configured.
func (e *layeredEnv) usesSharedKey() bool {
	return e.Get(envConnectionString) != "" || e.Get(envAccountKey) != ""
}

// scrubEnvironment registers every secret the environment holds.
func (a *app) scrubEnvironment() {
	for _, k := range secretEnvVars {
		a.addSecret(a.getenv(k))
	}
}

// addSecret registers a secret value, and the key inside it when it is a
// connection string.
func (a *app) addSecret(v string) {
	if v == "" {
		return
	}
	a.scrub.Add(v)
	for _, field := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(field, "=")
		if ok && (strings.EqualFold(strings.TrimSpace(k), "AccountKey") || strings.EqualFold(strings.TrimSpace(k), "SharedAccessSignature")) {
			a.scrub.Add(val)
		}
	}
}

// loadSecretFiles reads -account-key-file / -connection-string-file into
// the layered environment.
func (a *app) loadSecretFiles(keyFile, connFile string) error {
	if keyFile != "" && connFile != "" {
		return usagef("give either -account-key-file or -connection-string-file, not both")
	}
	if keyFile != "" {
		v, err := readSecretFile(keyFile)
		if err != nil {
			return usagef("-account-key-file: %v", err)
		}
		a.addSecret(v)
		a.env.override[envAccountKey] = v
		a.env.hidden[envConnectionString] = true
		a.env.source = "SharedKey from -account-key-file " + keyFile
	}
	if connFile != "" {
		v, err := readSecretFile(connFile)
		if err != nil {
			return usagef("-connection-string-file: %v", err)
		}
		a.addSecret(v)
		a.env.override[envConnectionString] = v
		a.env.hidden[envAccountKey] = true
		a.env.source = "SharedKey from -connection-string-file " + connFile
	}
	return nil
}

// readSecretFile returns the trimmed content of a small regular file. Its
// errors name the file, never its content.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot open %s: %w", path, errorWithoutPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("cannot stat %s: %w", path, errorWithoutPath(err))
	}
	if !st.Mode().IsRegular() && st.Mode()&os.ModeNamedPipe == 0 {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, errorWithoutPath(err))
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d KiB; is it the right file?", path, maxSecretFile>>10)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return v, nil
}

// errorWithoutPath strips the *os.PathError wrapper, whose text repeats the
// path we already print.
func errorWithoutPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

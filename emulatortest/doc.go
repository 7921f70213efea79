// Package emulatortest starts a real Azurite Blob emulator for tests and
// provides the network tools the integration tests need: a fault-injecting
// reverse proxy and a counting http.RoundTripper.
//
// Azurite comes from the npm package pinned in this directory's
// package.json and package-lock.json; `make emulator` installs it into
// emulatortest/node_modules. Start and StartHTTPS run it on a free loopback
// port with in-memory persistence and stop it when the test ends;
// StartProcess and (*Emulator).Stop do the same for TestMain and the demo.
//
// What it is NOT: it installs nothing (a missing Node.js or Azurite is a test
// failure naming `make emulator`, never a skip), it is not a mock of Blob
// Storage, and it must never be imported by non-test code of the module
// other than the demo.
package emulatortest

package emulatortest

// DevAccountName is Azurite's well-known development account.
const DevAccountName = "devstoreaccount1"

// DevAccountKey is the publicly documented key of DevAccountName, exactly
// as Azurite 3.37.0 holds it (EMULATOR_ACCOUNT_KEY_STR in its
// blob/utils/constants.js). It is not a secret: every Azurite installation
// accepts it, and it is only valid against the emulator.
const DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

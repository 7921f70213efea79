// Package identity holds local stand-ins for the Microsoft Entra ID
// endpoints that issue access tokens, for tests. They are not Microsoft's
// services: they are small httptest servers that accept and reject requests
// the way the real endpoints do (same URLs, parameters, headers, JSON
// shapes and error codes), so that token code can be proven without Azure:
//
//   - [TokenServer]: the v2.0 token endpoint
//     (https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token) for the
//     client-credentials grant with a client secret, a certificate-signed
//     client assertion (signature verified with the registered certificate,
//     aud, iss/sub, exp/nbf, jti replay and the x5t#S256 thumbprint
//     checked), subject name / issuer assertions (x5c chain verified), or a
//     federated token (workload identity);
//   - [IMDS]: the Instance Metadata Service token endpoint (Metadata: true
//     required, api-version, resource and user-assigned identity checked,
//     scripted 404/410/429/5xx answers);
//   - [AppService]: the App Service / Functions / Container Apps
//     IDENTITY_ENDPOINT (X-IDENTITY-HEADER checked);
//   - [FakeAzureCLI]: an "az" stand-in script.
//
// All of them mint access tokens as signed JWTs carrying the claims Azurite
// checks in --oauth basic mode: iss https://sts.windows.net/{tenant}/, aud
// https://storage.azure.com, iat, nbf and exp, plus oid, tid and appid
// (Azurite derives user delegation keys from oid and tid). Azurite does not
// verify the signature; [Minter.PublicKey] allows tests that want to.
//
// IMDS lives at the fixed link-local address 169.254.169.254, which a test
// cannot serve: point the code under test at [IMDS.TokenURL] instead.
//
// This package is for tests only.
package identity

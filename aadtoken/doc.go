// Package aadtoken obtains Microsoft Entra ID (formerly Azure AD) access
// tokens for Azure Blob Storage without the Azure SDK, and turns them into
// "Authorization: Bearer" headers.
//
// What it offers:
//
//   - credentials that each fetch one token: [ClientSecretCredential],
//     [ClientCertificateCredential] (a PS256 client assertion with an
//     x5t#S256 thumbprint, so it works under GODEBUG=fips140=only),
//     [WorkloadIdentityCredential] (a federated token file, re-read on every
//     request), [ManagedIdentityCredential] (IMDS and the App Service /
//     Functions / Container Apps IDENTITY_ENDPOINT flavour) and
//     [AzureCLICredential] (developer machines);
//   - [Chain], built by [NewChainFromEnvironment], which tries them in a
//     fixed order and explains in one error why each was skipped or failed;
//   - [CachingSource], which caches a token, refreshes it ahead of expiry
//     with one refresh at a time, and keeps serving a still-valid token when
//     a refresh fails;
//   - [BearerAuthorizer], which satisfies restapi.Authorizer structurally
//     (this package does not import restapi) and refuses plain http.
//
// What it is not: it is not a general OAuth2 or MSAL library. There are no
// user sign-in flows (device code, browser, refresh tokens), no token cache
// on disk, and no claims challenges. Tokens are requested for one scope,
// [StorageScope] unless configured otherwise.
//
// Secrets (client secrets, client assertions, federated tokens, private
// keys, access tokens) never appear in errors, logs or in the String/%v/%#v
// output of any type here; tests enforce this.
//
// Requests never follow redirects, bodies read from the network are limited
// to 1 MiB, and token authorities must be https. The only plain-http
// endpoints accepted are the managed identity ones, which Azure serves on a
// link-local or loopback address by design.
package aadtoken

package sharedkey

import (
	"context"
	"net/http"
	"testing"
)

// benchRequest is a realistic Put Block: 4 MiB, the headers restapi sends.
// It is the "bench-put-block" vector, so its signature is pinned too.
func benchRequest(b *testing.B) (*Credential, *http.Request, string) {
	f := loadVectors(b)
	for _, v := range f.Requests {
		if v.Name == "bench-put-block" {
			return vectorCredential(b, f), v.request(b), v.Authorization
		}
	}
	b.Fatal("vector bench-put-block not found")
	return nil, nil, ""
}

// BenchmarkAuthorize measures one SharedKey signature of a Put Block request
// (target: well under 2 µs and fewer than 10 allocations).
func BenchmarkAuthorize(b *testing.B) {
	cred, req, want := benchRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := cred.Authorize(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	if got := req.Header.Get("Authorization"); got != want {
		b.Fatalf("Authorization %s, want %s", got, want)
	}
}

// BenchmarkAuthorizeParallel is the same signature from many goroutines
// sharing one Credential, as the uploader's workers do.
func BenchmarkAuthorizeParallel(b *testing.B) {
	cred, proto, _ := benchRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := proto.Clone(ctx)
		for pb.Next() {
			if err := cred.Authorize(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkStringToSign is the canonicalization alone, returning a string.
func BenchmarkStringToSign(b *testing.B) {
	cred, req, _ := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := StringToSign(req, cred.AccountName()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServiceSAS signs the read-only blob SAS the uploader puts on each
// Put Block From URL source.
func BenchmarkServiceSAS(b *testing.B) {
	f := loadVectors(b)
	cred := vectorCredential(b, f)
	v := f.SAS[0].Values
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.SignWithSharedKey(cred); err != nil {
			b.Fatal(err)
		}
	}
}

package sharedkey

import (
	"strings"
	"testing"
)

const sasToken = "sv=2025-11-05&ss=b&srt=sco&sp=rl&se=2099-01-01T00:00:00Z&sig=c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ%3D%3D"

func TestParseConnectionString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ConnectionString
	}{
		{"portal", "DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=" + testKey + ";EndpointSuffix=core.windows.net",
			ConnectionString{AccountName: "myaccount", AccountKey: testKey, BlobEndpoint: "https://myaccount.blob.core.windows.net",
				DefaultEndpointsProtocol: "https", EndpointSuffix: "core.windows.net"}},
		{"defaults", "AccountName=myaccount;AccountKey=" + testKey,
			ConnectionString{AccountName: "myaccount", AccountKey: testKey, BlobEndpoint: "https://myaccount.blob.core.windows.net",
				DefaultEndpointsProtocol: "https", EndpointSuffix: "core.windows.net"}},
		{"sovereign cloud, http, spaces, trailing ;", " DefaultEndpointsProtocol = HTTP ; AccountName=cn1;AccountKey=" + testKey + ";EndpointSuffix=core.chinacloudapi.cn;",
			ConnectionString{AccountName: "cn1", AccountKey: testKey, BlobEndpoint: "http://cn1.blob.core.chinacloudapi.cn",
				DefaultEndpointsProtocol: "http", EndpointSuffix: "core.chinacloudapi.cn"}},
		{"keys in any case", "accountname=a1;ACCOUNTKEY=" + testKey + ";blobendpoint=https://custom.example.com/",
			ConnectionString{AccountName: "a1", AccountKey: testKey, BlobEndpoint: "https://custom.example.com",
				DefaultEndpointsProtocol: "https", EndpointSuffix: "core.windows.net"}},
		{"Azurite's documented string", "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + EmulatorAccountKey +
			";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
			ConnectionString{AccountName: "devstoreaccount1", AccountKey: EmulatorAccountKey, BlobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
				DefaultEndpointsProtocol: "http", EndpointSuffix: "core.windows.net"}},
		{"development storage", "UseDevelopmentStorage=true",
			ConnectionString{AccountName: EmulatorAccountName, AccountKey: EmulatorAccountKey, BlobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
				DefaultEndpointsProtocol: "http", UseDevelopmentStorage: true}},
		{"development storage, any case", "usedevelopmentstorage=TRUE;",
			ConnectionString{AccountName: EmulatorAccountName, AccountKey: EmulatorAccountKey, BlobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
				DefaultEndpointsProtocol: "http", UseDevelopmentStorage: true}},
		{"SAS with endpoint (portal SAS string)", "BlobEndpoint=https://myaccount.blob.core.windows.net/;FileEndpoint=https://myaccount.file.core.windows.net/;SharedAccessSignature=?" + sasToken,
			ConnectionString{BlobEndpoint: "https://myaccount.blob.core.windows.net", SharedAccessSignature: sasToken,
				DefaultEndpointsProtocol: "https", EndpointSuffix: "core.windows.net"}},
		{"SAS with account name", "AccountName=myaccount;SharedAccessSignature=" + sasToken,
			ConnectionString{AccountName: "myaccount", BlobEndpoint: "https://myaccount.blob.core.windows.net", SharedAccessSignature: sasToken,
				DefaultEndpointsProtocol: "https", EndpointSuffix: "core.windows.net"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConnectionString(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Fatalf("\n got: %#v\nwant: %#v", *got, tt.want) // redacted either way
			}
			if got.AccountKey != tt.want.AccountKey || got.SharedAccessSignature != tt.want.SharedAccessSignature {
				t.Fatal("secret fields differ")
			}
		})
	}
}

func TestParseConnectionStringRejects(t *testing.T) {
	pasted := testKey // a key pasted without "AccountKey="
	tests := []struct {
		name, in, wantErr string
	}{
		{"empty", "  ", "is empty"},
		{"only separators", ";;", "has no settings"},
		{"part without =", "AccountName=a;" + strings.TrimRight(pasted, "="), "part 2 has no '='"},
		{"pasted key splits at padding", "AccountName=a;" + pasted, "(not shown: it does not look like a setting name)"},
		{"unknown key", "AccountName=a;AccountKey=" + testKey + ";Colour=blue", `key "Colour" is unknown`},
		{"duplicate key", "AccountName=a;AccountKey=" + testKey + ";accountkey=" + testKey, "key AccountKey appears more than once"},
		{"empty value", "AccountName=;AccountKey=" + testKey, "key AccountName has an empty value"},
		{"no credential", "AccountName=a", "neither AccountKey nor SharedAccessSignature"},
		{"key without name", "AccountKey=" + testKey, "has AccountKey but no AccountName"},
		{"both key and SAS", "AccountName=a;AccountKey=" + testKey + ";SharedAccessSignature=" + sasToken, "sets both AccountKey and SharedAccessSignature"},
		{"bad key", "AccountName=a;AccountKey=" + testKey[:20], "key AccountKey: the key"},
		{"SAS without sig", "AccountName=a;SharedAccessSignature=sv=2025-11-05&sp=r", "has no sig parameter"},
		{"SAS without endpoint or name", "SharedAccessSignature=" + sasToken, "needs AccountName or BlobEndpoint"},
		{"bad protocol", "DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=" + testKey, "must be https or http"},
		{"bad suffix", "AccountName=a;AccountKey=" + testKey + ";EndpointSuffix=https://core.windows.net", "must be a DNS suffix"},
		{"relative endpoint", "AccountName=a;AccountKey=" + testKey + ";BlobEndpoint=myaccount.blob.core.windows.net", "must be an http or https URL"},
		{"endpoint with SAS", "BlobEndpoint=https://a.blob.core.windows.net/?" + sasToken + ";SharedAccessSignature=" + sasToken, "without query"},
		{"bad account name", "AccountName=a b;AccountKey=" + testKey, "key AccountName"},
		{"dev storage false", "UseDevelopmentStorage=false", "must be true"},
		{"dev storage plus key", "UseDevelopmentStorage=true;AccountKey=" + testKey, "cannot be combined with UseDevelopmentStorage=true"},
		{"dev storage proxy", "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://proxy", "DevelopmentStorageProxyUri is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := ParseConnectionString(tt.in)
			if err == nil {
				t.Fatalf("accepted: %v", cs)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not say %q", err, tt.wantErr)
			}
			for _, secret := range []string{testKey, testKey[:20], strings.TrimRight(testKey, "="), sasToken, "c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q contains a secret", err)
				}
			}
		})
	}
}

func TestConnectionStringCredential(t *testing.T) {
	cs, err := ParseConnectionString("UseDevelopmentStorage=true")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cs.Credential()
	if err != nil {
		t.Fatal(err)
	}
	if c.AccountName() != EmulatorAccountName {
		t.Fatalf("account %q", c.AccountName())
	}
	cs, err = ParseConnectionString("AccountName=a;SharedAccessSignature=" + sasToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Credential(); err == nil || !strings.Contains(err.Error(), "has no AccountKey") {
		t.Fatalf("Credential from a SAS connection string: %v", err)
	}
	var nilCS *ConnectionString
	if _, err := nilCS.Credential(); err == nil {
		t.Fatal("Credential from nil connection string")
	}
}

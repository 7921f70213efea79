#!/usr/bin/env python3
# Independent oracle for the sharedkey golden vectors (testdata/vectors.json).
#
# Every expected string-to-sign is assembled from fields written out by hand
# per vector (the x-ms-* header order chosen by hand following SIGNING.md,
# "Header order"), and signed with Python's hmac, not Go's. Nothing here
# calls or mirrors the Go implementation's canonicalization. Python 3 stdlib
# only; the Go tests never run it. Regenerate with:
#
#     python3 sharedkey/testdata/gen_vectors.py
#
# then review the diff and run go test ./sharedkey (and, after a change to
# the examples, -run TestSigningDoc -update-signing-doc).
import base64, hashlib, hmac, json, os, urllib.parse

ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
D = "Sat, 21 Nov 2026 03:30:00 GMT"
V = "2025-11-05"
E = "http://127.0.0.1:10000/devstoreaccount1"
CLOUD = "https://devstoreaccount1.blob.core.windows.net"

def sig(key_b64, s):
    return base64.b64encode(hmac.new(base64.b64decode(key_b64), s.encode("utf-8"), hashlib.sha256).digest()).decode()

def crc64(data):
    poly = 0x9A6C9329AC4BC9B5
    tab = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        tab.append(c)
    crc = 0xFFFFFFFFFFFFFFFF
    for b in data:
        crc = tab[(crc ^ b) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFFFFFFFFFF
    return base64.b64encode(crc.to_bytes(8, "little")).decode()

STD = ["Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
       "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"]

def sts(method, std, canon_headers, resource):
    # std: dict of slot -> value; canon_headers: list of "name:value" in service order
    for k in std:
        assert k in STD, k
    lines = [method] + [std.get(k, "") for k in STD]
    return "\n".join(lines) + "\n" + "".join(h + "\n" for h in canon_headers) + resource

vectors = []
def req(name, about, method, url, headers, std, canon, resource, body=None, content_length=None, azurite=True, note=""):
    s = sts(method, std, canon, resource)
    v = {"name": name, "about": about, "method": method, "url": url, "headers": [k + ": " + val for k, val in headers]}
    if body is not None:
        v["body"] = body
    if content_length is not None:
        v["content_length"] = content_length
    v["string_to_sign"] = s
    v["authorization"] = "SharedKey %s:%s" % (ACCOUNT, sig(KEY, s))
    v["azurite"] = azurite
    if note:
        v["note"] = note
    vectors.append(v)

R = "/" + ACCOUNT + "/" + ACCOUNT  # path-style resource prefix
REQID = "00000000-0000-4000-8000-000000000001"

# --- SAS first: the Put Block From URL vector embeds one.
sas = []
def sas_fields(f):
    return "\n".join(f)

def service_sas(name, about, values, fields, query, azurite=True, note=""):
    s = sas_fields(fields)
    sg = sig(KEY, s)
    q = query + "&sig=" + urllib.parse.quote(sg, safe="")
    d = {"name": name, "about": about, "kind": "service", "values": values, "string_to_sign": s, "query": q, "azurite": azurite}
    if note:
        d["note"] = note
    sas.append(d)
    return q

def udk_value(oid, tid, skt, ske, skv):
    # Azurite derives user delegation keys this way (utils.getUserDelegationKeyValue).
    m = "\n".join([oid, tid, skt, ske, "b", skv])
    return base64.b64encode(hmac.new(b"azurite-user-delegation-signing-seed-v1", m.encode(), hashlib.sha256).digest()).decode()

def udk_sas(name, about, values, key, fields, query, azurite=True, note=""):
    s = sas_fields(fields)
    sg = sig(key["Value"], s)
    q = query + "&sig=" + urllib.parse.quote(sg, safe="")
    d = {"name": name, "about": about, "kind": "user-delegation", "values": values, "key": key, "string_to_sign": s, "query": q, "azurite": azurite}
    if note:
        d["note"] = note
    sas.append(d)
    return q

SE = "2099-01-01T00:00:00Z"
ST = "2026-11-21T03:30:00Z"
SPECIAL = "dir/a b%c+d?e#f é☃.txt"
SPECIAL_ESC = "dir/a%20b%25c+d%3Fe%23f%20%C3%A9%E2%98%83.txt"

s1 = service_sas("sas-service-blob-read",
    "Service SAS for one blob, read only, no start time, any protocol: the source of the Put Block From URL vector.",
    {"ContainerName": "vectors", "BlobName": "part/session/1", "Permissions": "r", "ExpiryTime": SE},
    ["r", "", SE, "/blob/devstoreaccount1/vectors/part/session/1", "", "", "", V, "b", "", "", "", "", "", "", ""],
    "sv=2025-11-05&sr=b&sp=r&se=2099-01-01T00%3A00%3A00Z")

service_sas("sas-service-blob-overrides",
    "Service SAS for a blob with a special name: permissions given out of order, start time, IP range, both protocols and response header overrides.",
    {"ContainerName": "vectors", "BlobName": SPECIAL, "Permissions": "wr", "StartTime": ST, "ExpiryTime": SE,
     "IPRange": "0.0.0.0-255.255.255.255", "Protocol": "https,http", "CacheControl": "no-cache",
     "ContentDisposition": "attachment; filename=\"a b.txt\"", "ContentLanguage": "en-GB", "ContentType": "text/plain; charset=utf-8"},
    ["rw", ST, SE, "/blob/devstoreaccount1/vectors/" + SPECIAL, "", "0.0.0.0-255.255.255.255", "https,http", V, "b", "", "",
     "no-cache", "attachment; filename=\"a b.txt\"", "", "en-GB", "text/plain; charset=utf-8"],
    "sv=2025-11-05&sr=b&sp=rw&st=2026-11-21T03%3A30%3A00Z&se=2099-01-01T00%3A00%3A00Z&sip=0.0.0.0-255.255.255.255&spr=https%2Chttp"
    "&rscc=no-cache&rscd=attachment%3B%20filename%3D%22a%20b.txt%22&rscl=en-GB&rsct=text%2Fplain%3B%20charset%3Dutf-8")

service_sas("sas-service-container-list",
    "Service SAS for a container (sr=c): read and list, HTTPS only.",
    {"ContainerName": "vectors", "Permissions": "lr", "ExpiryTime": SE, "Protocol": "https"},
    ["rl", "", SE, "/blob/devstoreaccount1/vectors", "", "", "https", V, "c", "", "", "", "", "", "", ""],
    "sv=2025-11-05&sr=c&sp=rl&se=2099-01-01T00%3A00%3A00Z&spr=https",
    note="Azurite checks the signature, then refuses plain HTTP with AuthorizationProtocolMismatch.")

service_sas("sas-service-stored-policy",
    "Service SAS that takes permissions and expiry from the container's stored access policy (si).",
    {"ContainerName": "vectors", "BlobName": "part/session/1", "Identifier": "policy-1"},
    ["", "", "", "/blob/devstoreaccount1/vectors/part/session/1", "policy-1", "", "", V, "b", "", "", "", "", "", "", ""],
    "sv=2025-11-05&sr=b&si=policy-1")

OID = "11111111-1111-4111-8111-111111111111"
TID = "22222222-2222-4222-8222-222222222222"
SKT = "2026-11-21T00:00:00Z"
SKE = "2099-01-02T00:00:00Z"
UDK = {"SignedOID": OID, "SignedTID": TID, "SignedStart": SKT, "SignedExpiry": SKE, "SignedService": "b",
       "SignedVersion": V, "Value": udk_value(OID, TID, SKT, SKE, V)}

udk_sas("sas-user-delegation-blob-read",
    "User delegation SAS for one blob, version 2025-11-05: the layout with the skdutid and sduoid slots.",
    {"ContainerName": "vectors", "BlobName": "part/session/1", "Permissions": "r", "ExpiryTime": SE},
    UDK,
    ["r", "", SE, "/blob/devstoreaccount1/vectors/part/session/1", OID, TID, SKT, SKE, "b", V,
     "", "", "", "", "", "", "", V, "b", "", "", "", "", "", "", ""],
    "sv=2025-11-05&sr=b&sp=r&se=2099-01-01T00%3A00%3A00Z&skoid=" + OID + "&sktid=" + TID +
    "&skt=2026-11-21T00%3A00%3A00Z&ske=2099-01-02T00%3A00%3A00Z&sks=b&skv=2025-11-05")

udk_sas("sas-user-delegation-container-2020",
    "User delegation SAS for a container at version 2020-12-06 (no skdutid/sduoid slots), with a start time, one IP address and a content-type override.",
    {"Version": "2020-12-06", "ContainerName": "vectors", "Permissions": "rl", "StartTime": ST, "ExpiryTime": SE,
     "IPRange": "127.0.0.1", "ContentType": "application/xml"},
    UDK,
    ["rl", ST, SE, "/blob/devstoreaccount1/vectors", OID, TID, SKT, SKE, "b", V,
     "", "", "", "127.0.0.1", "", "2020-12-06", "c", "", "", "", "", "", "", "application/xml"],
    "sv=2020-12-06&sr=c&sp=rl&st=2026-11-21T03%3A30%3A00Z&se=2099-01-01T00%3A00%3A00Z&sip=127.0.0.1&skoid=" + OID + "&sktid=" + TID +
    "&skt=2026-11-21T00%3A00%3A00Z&ske=2099-01-02T00%3A00%3A00Z&sks=b&skv=2025-11-05&rsct=application%2Fxml")

udk_sas("sas-user-delegation-encryption-scope",
    "User delegation SAS for a blob with an encryption scope (ses), HTTPS only, write and create.",
    {"ContainerName": "vectors", "BlobName": "scoped", "Permissions": "cw", "ExpiryTime": SE, "Protocol": "https",
     "EncryptionScope": "scope1"},
    UDK,
    ["cw", "", SE, "/blob/devstoreaccount1/vectors/scoped", OID, TID, SKT, SKE, "b", V,
     "", "", "", "", "", "", "https", V, "b", "", "scope1", "", "", "", "", ""],
    "sv=2025-11-05&sr=b&sp=cw&se=2099-01-01T00%3A00%3A00Z&spr=https&skoid=" + OID + "&sktid=" + TID +
    "&skt=2026-11-21T00%3A00%3A00Z&ske=2099-01-02T00%3A00%3A00Z&sks=b&skv=2025-11-05&ses=scope1",
    note="Azurite accepts ses only when started with --loose; it checks the signature, then refuses plain HTTP.")

# --- SharedKey request vectors, in replay order.
req("create-container", "Create Container: no body, so Content-Length is empty; one query parameter.",
    "PUT", E + "/vectors?restype=container",
    [["x-ms-date", D], ["x-ms-version", V]],
    {}, ["x-ms-date:" + D, "x-ms-version:" + V], R + "/vectors\nrestype:container")

hello = "hello, world"
req("put-blob", "Put Blob: Content-Length and Content-Type, If-None-Match, CRC-64 and client request id headers.",
    "PUT", E + "/vectors/part/session/1",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Blob-Type", "BlockBlob"], ["Content-Type", "application/octet-stream"],
     ["If-None-Match", "*"], ["X-Ms-Content-Crc64", crc64(hello.encode())], ["X-Ms-Client-Request-Id", REQID]],
    {"Content-Length": "12", "Content-Type": "application/octet-stream", "If-None-Match": "*"},
    ["x-ms-blob-type:BlockBlob", "x-ms-client-request-id:" + REQID, "x-ms-content-crc64:" + crc64(hello.encode()),
     "x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors/part/session/1", body=hello)

std_body = "standard headers"
md5 = base64.b64encode(hashlib.md5(std_body.encode()).digest()).decode()
req("put-blob-standard-headers", "Put Blob with Content-Encoding, Content-Language, Content-MD5 and Content-Type.",
    "PUT", E + "/vectors/standard",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Blob-Type", "BlockBlob"], ["Content-Encoding", "identity"],
     ["Content-Language", "en-GB"], ["Content-Md5", md5], ["Content-Type", "text/plain; charset=utf-8"]],
    {"Content-Encoding": "identity", "Content-Language": "en-GB", "Content-Length": "16", "Content-MD5": md5,
     "Content-Type": "text/plain; charset=utf-8"},
    ["x-ms-blob-type:BlockBlob", "x-ms-date:" + D, "x-ms-version:" + V], R + "/vectors/standard", body=std_body)

req("get-blob-range-conditions", "Get Blob with If-Modified-Since, If-Unmodified-Since and Range.",
    "GET", E + "/vectors/standard",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT"],
     ["If-Unmodified-Since", "Thu, 31 Dec 2099 23:59:59 GMT"], ["Range", "bytes=0-7"]],
    {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT", "If-Unmodified-Since": "Thu, 31 Dec 2099 23:59:59 GMT", "Range": "bytes=0-7"},
    ["x-ms-date:" + D, "x-ms-version:" + V], R + "/vectors/standard")

req("head-blob-if-match", "Get Blob Properties (HEAD) with If-Match.",
    "HEAD", E + "/vectors/standard",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["If-Match", "*"]],
    {"If-Match": "*"}, ["x-ms-date:" + D, "x-ms-version:" + V], R + "/vectors/standard")

req("put-blob-special-name", "Put Blob whose name has a slash, space, %, +, ?, #, and non-ASCII letters: the resource is the escaped path as sent.",
    "PUT", E + "/vectors/" + SPECIAL_ESC,
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Blob-Type", "BlockBlob"]],
    {"Content-Length": "7"}, ["x-ms-blob-type:BlockBlob", "x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors/" + SPECIAL_ESC, body="special")

req("put-blob-metadata-order", "Put Blob with metadata whose names sort differently in byte order (foo2_bar < foo_bar) and in the service's order (foo_bar first); values trimmed at both ends only.",
    "PUT", E + "/vectors/meta",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Blob-Type", "BlockBlob"], ["X-Ms-Meta-Foo2_bar", "2"],
     ["X-Ms-Meta-Foo_bar", "1"], ["X-Ms-Meta-Zeta", "z"], ["X-Ms-Meta-Spaces", "  two  inner  spaces  "]],
    {"Content-Length": "1"},
    ["x-ms-blob-type:BlockBlob", "x-ms-date:" + D, "x-ms-meta-foo_bar:1", "x-ms-meta-foo2_bar:2",
     "x-ms-meta-spaces:two  inner  spaces", "x-ms-meta-zeta:z", "x-ms-version:" + V],
    R + "/vectors/meta", body="m")

req("put-blob-noncanonical-keys", "Header keys set without Go's canonical casing (lower and upper case) are found and lower-cased.",
    "PUT", E + "/vectors/lowercase-keys",
    [["x-ms-date", D], ["x-ms-version", V], ["x-ms-blob-type", "BlockBlob"], ["content-type", "text/plain"],
     ["X-MS-CLIENT-REQUEST-ID", REQID]],
    {"Content-Length": "1", "Content-Type": "text/plain"},
    ["x-ms-blob-type:BlockBlob", "x-ms-client-request-id:" + REQID, "x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors/lowercase-keys", body="k")

BID1 = base64.b64encode(b"block-000001\xfb\xff").decode()  # has + / and =
BID2 = base64.b64encode(b"block-000002\xfb\xff").decode()
assert "+" in BID1 and "/" in BID1 and "=" in BID1, BID1
q = lambda s: urllib.parse.quote(s, safe="")
req("put-block", "Put Block: the block id is base64 with +, / and =, percent-encoded in the URL and decoded in the resource.",
    "PUT", E + "/vectors/session?comp=block&blockid=" + q(BID1),
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Content-Crc64", crc64(b"abcd")], ["X-Ms-Client-Request-Id", REQID]],
    {"Content-Length": "4"},
    ["x-ms-client-request-id:" + REQID, "x-ms-content-crc64:" + crc64(b"abcd"), "x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors/session\nblockid:" + BID1 + "\ncomp:block", body="abcd")

src = E + "/vectors/part/session/1?" + s1
req("put-block-from-url", "Put Block From URL: no body; the source URL with its SAS is covered as the x-ms-copy-source header.",
    "PUT", E + "/vectors/session?comp=block&blockid=" + q(BID2),
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Copy-Source", src]],
    {}, ["x-ms-copy-source:" + src, "x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors/session\nblockid:" + BID2 + "\ncomp:block")

bl = '<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>%s</Latest><Latest>%s</Latest></BlockList>' % (BID1, BID2)
req("put-block-list", "Put Block List: XML body, If-None-Match, and the content type the committed blob gets.",
    "PUT", E + "/vectors/session?comp=blocklist",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["Content-Type", "application/xml"], ["If-None-Match", "*"],
     ["X-Ms-Blob-Content-Type", "application/octet-stream"]],
    {"Content-Length": str(len(bl)), "Content-Type": "application/xml", "If-None-Match": "*"},
    ["x-ms-blob-content-type:application/octet-stream", "x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors/session\ncomp:blocklist", body=bl)

req("list-blobs", "List Blobs: several query parameters, sorted by name, values decoded (%2F is /).",
    "GET", E + "/vectors?restype=container&comp=list&prefix=part%2Fs&maxresults=2&include=metadata",
    [["X-Ms-Date", D], ["X-Ms-Version", V]],
    {}, ["x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors\ncomp:list\ninclude:metadata\nmaxresults:2\nprefix:part/s\nrestype:container")

req("list-blobs-encoded-prefix", "List Blobs with a prefix holding space (+), %, + (%2B) and a parameter name in mixed case, lower-cased for signing.",
    "GET", E + "/vectors?restype=container&comp=list&prefix=dir%2Fa+b%25c%2Bd&TimeOut=30",
    [["X-Ms-Date", D], ["X-Ms-Version", V]],
    {}, ["x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors\ncomp:list\nprefix:dir/a b%c+d\nrestype:container\ntimeout:30")

req("list-containers-cloud", "List Containers on a cloud-style endpoint: the account comes from the host, the path is /.",
    "GET", CLOUD + "/?comp=list",
    [["X-Ms-Date", D], ["X-Ms-Version", V]],
    {}, ["x-ms-date:" + D, "x-ms-version:" + V], "/devstoreaccount1/\ncomp:list")

req("service-properties-empty-path", "A URL with an empty path is sent and signed as /.",
    "GET", CLOUD + "?restype=service&comp=properties",
    [["X-Ms-Date", D], ["X-Ms-Version", V]],
    {}, ["x-ms-date:" + D, "x-ms-version:" + V], "/devstoreaccount1/\ncomp:properties\nrestype:service")

req("put-blob-cloud-raw-path", "Cloud-style Put Blob whose URL keeps ' unescaped: the path is signed exactly as it goes on the wire (RawPath), not re-escaped.",
    "PUT", CLOUD + "/vectors/it's",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Blob-Type", "BlockBlob"]],
    {"Content-Length": "1"}, ["x-ms-blob-type:BlockBlob", "x-ms-date:" + D, "x-ms-version:" + V],
    "/devstoreaccount1/vectors/it's", body="q")

req("date-header-only", "Date header instead of x-ms-date: its value fills the Date slot.",
    "GET", E + "/vectors/standard",
    [["Date", D], ["X-Ms-Version", V]],
    {"Date": D}, ["x-ms-version:" + V], R + "/vectors/standard")

req("date-and-x-ms-date", "Both Date and x-ms-date: Date fills its slot and x-ms-date is a canonicalized header.",
    "GET", E + "/vectors/standard",
    [["Date", "Sat, 21 Nov 2026 03:29:59 GMT"], ["X-Ms-Date", D], ["X-Ms-Version", V]],
    {"Date": "Sat, 21 Nov 2026 03:29:59 GMT"}, ["x-ms-date:" + D, "x-ms-version:" + V], R + "/vectors/standard")

req("delete-blob", "Delete Blob with x-ms-delete-snapshots.",
    "DELETE", E + "/vectors/meta",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Delete-Snapshots", "include"]],
    {}, ["x-ms-date:" + D, "x-ms-delete-snapshots:include", "x-ms-version:" + V], R + "/vectors/meta")

req("put-blob-unknown-length", "Body of unknown length (ContentLength -1, sent chunked): no Content-Length header, so the slot is empty.",
    "PUT", E + "/vectors/chunked",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Blob-Type", "BlockBlob"]],
    {}, ["x-ms-blob-type:BlockBlob", "x-ms-date:" + D, "x-ms-version:" + V], R + "/vectors/chunked",
    body="chunked body", content_length=-1,
    azurite=False, note="Put Blob needs a Content-Length: Azurite answers 400 before it checks the signature. The vector pins what StringToSign does when net/http sends no Content-Length.")

req("repeated-query-parameter", "A query parameter given twice: values sorted and joined with a comma, as the service documents.",
    "GET", E + "/vectors?restype=container&comp=list&include=metadata&include=deleted",
    [["X-Ms-Date", D], ["X-Ms-Version", V]],
    {}, ["x-ms-date:" + D, "x-ms-version:" + V],
    R + "/vectors\ncomp:list\ninclude:deleted,metadata\nrestype:container",
    azurite=False, note="Azurite keeps only the last value of a repeated parameter, so it cannot check this rule.")

req("header-order-hyphen", "Hyphens are ignored at the first sorting level: x-ms-enabled-protocols sorts before x-ms-enable-snapshot-virtual-directory-access (byte order says the opposite).",
    "PUT", E + "/vectors/hyphen",
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Blob-Type", "BlockBlob"], ["X-Ms-Enable-Snapshot-Virtual-Directory-Access", "true"], ["X-Ms-Enabled-Protocols", "SMB"]],
    {}, ["x-ms-blob-type:BlockBlob", "x-ms-date:" + D, "x-ms-enabled-protocols:SMB", "x-ms-enable-snapshot-virtual-directory-access:true", "x-ms-version:" + V],
    R + "/vectors/hyphen",
    azurite=False, note="Azurite sorts with Node's localeCompare, which puts the hyphen first; the service and the Azure SDKs do not.")

req("bench-put-block", "The BenchmarkAuthorize request: Put Block of 4 MiB (signed without a body).",
    "PUT", CLOUD + "/session/7d3c2f4e-5b6a-4c1d-9e8f-0a1b2c3d4e5f?comp=block&blockid=" + q(BID1),
    [["X-Ms-Date", D], ["X-Ms-Version", V], ["X-Ms-Client-Request-Id", REQID], ["X-Ms-Content-Crc64", "AAAAAAAAAAA="]],
    {"Content-Length": "4194304"},
    ["x-ms-client-request-id:" + REQID, "x-ms-content-crc64:AAAAAAAAAAA=", "x-ms-date:" + D, "x-ms-version:" + V],
    "/devstoreaccount1/session/7d3c2f4e-5b6a-4c1d-9e8f-0a1b2c3d4e5f\nblockid:" + BID1 + "\ncomp:block",
    content_length=4194304, azurite=False, note="Signing only: the request has no body to send.")

out = {
    "about": "Golden vectors for package sharedkey, produced by an independent generator (Python hmac). Account and key are Azurite's well-known, public devstoreaccount1 credentials.",
    "account": ACCOUNT, "key": KEY, "requests": vectors, "sas": sas,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(len(vectors), "request vectors,", len(sas), "SAS vectors")

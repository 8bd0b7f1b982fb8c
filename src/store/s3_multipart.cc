// Multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload) for the
// big files of a run: each part is retried on its own, and the whole object appears
// atomically when the upload completes. A failed upload is aborted.

#include <algorithm>

#include "store/s3_client_internal.h"

namespace runlake::s3 {
namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;  // S3's (and RGW's) minimum but for the last
constexpr uint64_t kMaxParts = 10000;

Result<std::string> CreateUpload(Client& client, const std::string& key) {
  // SigV4 via libcurl 7.88 needs "uploads=" (not "uploads") so its query is canonical.
  Request req{"POST", key, {{"uploads", ""}}, {"Content-Type: application/octet-stream"}};
  RUNLAKE_ASSIGN_OR_RAISE(Response resp, client.Send(req));
  if (!resp.ok()) return client.ErrorStatus(req, resp);
  Result<std::string> id = ParseUploadId(resp.body);
  if (!id.ok()) {
    return id.status().WithContext("S3 CreateMultipartUpload for " + client.Describe(key) +
                                   " at " + client.endpoint());
  }
  return id;
}

Result<std::string> UploadPart(Client& client, const std::string& key, const std::string& id,
                               int number, int fd, uint64_t offset, uint64_t size) {
  Body body = Body::File(fd, offset, size);
  Request req{"PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", id}}, {}, &body};
  RUNLAKE_ASSIGN_OR_RAISE(Response resp, client.Send(req));
  if (!resp.ok()) return client.ErrorStatus(req, resp);
  std::string etag = resp.Header("etag");
  if (etag.empty()) {
    return Status::IOError("S3 UploadPart " + std::to_string(number) + " of " +
                           client.Describe(key) + " returned no ETag");
  }
  return etag;
}

Status Complete(Client& client, const std::string& key, const std::string& id,
                const std::vector<std::string>& etags, uint64_t size) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
           XmlEscape(etags[i]) + "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  Body body = Body::Memory(xml);
  Request req{"POST", key, {{"uploadId", id}}, {"Content-Type: application/xml"}, &body};
  RUNLAKE_ASSIGN_OR_RAISE(Response resp, client.Send(req));
  // S3 may answer 200 and put the error in the body (a failure after the headers went out).
  ErrorInfo err = ParseError(resp.body);
  if (resp.ok() && err.code.empty()) return Status::OK();
  if (resp.status == 404 && err.code == "NoSuchUpload") {
    // A retry of a Complete whose first answer was lost: the object is there if it worked.
    Request head{"HEAD", key};
    auto h = client.Send(head);
    if (h.ok() && h->ok() && h->Header("content-length") == std::to_string(size)) {
      return Status::OK();
    }
  }
  if (resp.ok()) resp.status = 500;  // make ErrorStatus report it as a server error
  return client.ErrorStatus(req, resp);
}

void Abort(Client& client, const std::string& key, const std::string& id) {
  Request req{"DELETE", key, {{"uploadId", id}}};
  (void)client.Send(req);  // best effort: a lingering upload is invisible to readers
}

}  // namespace

Status MultipartUpload(Client& client, const std::string& key, int fd, uint64_t size) {
  uint64_t part = std::max(client.config().part_size, kMinPartSize);
  part = std::max(part, (size + kMaxParts - 1) / kMaxParts);
  RUNLAKE_ASSIGN_OR_RAISE(std::string id, CreateUpload(client, key));
  std::vector<std::string> etags;
  int number = 1;
  for (uint64_t off = 0; off < size || off == 0; off += part, ++number) {
    uint64_t len = std::min(part, size - off);
    auto etag = UploadPart(client, key, id, number, fd, off, len);
    if (!etag.ok()) {
      Abort(client, key, id);
      return etag.status();
    }
    etags.push_back(*etag);
    if (size == 0) break;
  }
  Status st = Complete(client, key, id, etags, size);
  if (!st.ok()) Abort(client, key, id);
  return st;
}

}  // namespace runlake::s3

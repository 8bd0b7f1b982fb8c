#pragma once
// S3's XML responses (ListObjectsV2, CreateMultipartUpload, errors), parsed with pugixml.
// S3 bodies are untrusted network input: every parser here reads the whole document
// and fails with IOError on a body that is not well-formed XML (a truncated page, a
// proxy's HTML), so a caller never acts on half a listing. Elements are matched by
// their local name, so a prefixed namespace (<s3:Key>) reads like the plain one.
// DOCTYPEs are skipped and never expanded (no external or custom entities).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace runlake::s3 {

// One <Contents> entry of a ListObjectsV2 page; `etag` as sent (usually quoted).
struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

struct ListPage {
  std::vector<ListedObject> objects;  // in the page's order
  bool truncated = false;             // <IsTruncated>true</IsTruncated>
  std::string next_token;             // <NextContinuationToken>; set when truncated
};

// Parses a ListBucketResult. Fails (IOError naming the problem and byte offset) on
// malformed XML, another root element, a <Contents> without <Key> or with a <Size> that
// is not a decimal integer, a missing or odd <IsTruncated>, or a truncated page
// without a continuation token (which would otherwise end the listing early).
Result<ListPage> ParseListObjectsV2(std::string_view body);

// The <UploadId> of an InitiateMultipartUploadResult; IOError if malformed or absent.
Result<std::string> ParseUploadId(std::string_view body);

// An S3 error body's fields (<Error><Code>…</Code><Message>…</Message></Error>).
struct ErrorInfo {
  std::string code;
  std::string message;
};

// The fields of an <Error> document; both empty when the body is not one (an empty
// body, a success document, or something that is not XML at all).
ErrorInfo ParseError(std::string_view body);

// Escapes the five XML special characters, for request bodies we build.
std::string XmlEscape(std::string_view s);

}  // namespace runlake::s3

namespace runlake::s3 {

// The <Credentials> of an STS AssumeRole / AssumeRoleWithWebIdentity / GetSessionToken
// answer, and the <Error> of an STS <ErrorResponse>.
struct StsCredentialsXml {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string expiration;  // ISO 8601 as sent
};
// IOError when malformed or when any of the four fields is missing.
Result<StsCredentialsXml> ParseStsCredentials(std::string_view body);
// Code and Message of <ErrorResponse><Error>…; both empty when not one.
ErrorInfo ParseStsError(std::string_view body);
// <Region> of an S3 error body (a wrong-region answer); "" when absent.
std::string ParseErrorRegion(std::string_view body);

}  // namespace runlake::s3

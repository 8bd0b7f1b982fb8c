// S3's XML responses through pugixml. pugixml builds a DOM of the whole body, which is
// what we want: S3 pages are at most ~1,000 entries (a few hundred KiB), and seeing the
// whole document is what lets a truncated body fail instead of yielding a short list.

#include "store/s3_xml_internal.h"

#include <charconv>

#include <pugixml.hpp>

namespace runlake::s3 {
namespace {

// parse_ws_pcdata keeps text that is only spaces: a key may be "  ". Text between
// elements (indentation) becomes nodes we never read. No parse_doctype: a DOCTYPE is
// skipped, so its entities are never declared, let alone expanded.
constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_ws_pcdata;

Status Load(pugi::xml_document& doc, std::string_view body, std::string_view what) {
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), kParseOptions, pugi::encoding_utf8);
  if (r) return Status::OK();
  return Status::IOError("malformed S3 " + std::string(what) + " response (" +
                         std::to_string(body.size()) + " bytes): " + r.description() +
                         " at byte " + std::to_string(r.offset));
}

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node Root(const pugi::xml_document& doc) {
  for (pugi::xml_node n : doc.children()) {
    if (n.type() == pugi::node_element) return n;
  }
  return {};
}

pugi::xml_node Child(pugi::xml_node parent, std::string_view local) {
  for (pugi::xml_node n : parent.children()) {
    if (n.type() == pugi::node_element && LocalName(n.name()) == local) return n;
  }
  return {};
}

// The element's character data: text and CDATA sections in order (a key may be split
// across several), entities already decoded by the parser.
std::string Text(pugi::xml_node element) {
  std::string out;
  for (pugi::xml_node n : element.children()) {
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) out += n.value();
  }
  return out;
}

Result<uint64_t> ParseSize(std::string_view s, size_t index) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return Status::IOError("malformed S3 ListObjectsV2 response: <Size> of entry " +
                           std::to_string(index + 1) + " is '" + std::string(s) +
                           "', not a byte count");
  }
  return v;
}

}  // namespace

Result<ListPage> ParseListObjectsV2(std::string_view body) {
  pugi::xml_document doc;
  RUNLAKE_RETURN_NOT_OK(Load(doc, body, "ListObjectsV2"));
  pugi::xml_node root = Root(doc);
  if (LocalName(root.name()) != "ListBucketResult") {
    return Status::IOError("malformed S3 ListObjectsV2 response: root element is <" +
                           std::string(root.name()) + ">, not <ListBucketResult>");
  }
  ListPage page;
  for (pugi::xml_node n : root.children()) {
    if (n.type() != pugi::node_element || LocalName(n.name()) != "Contents") continue;
    size_t index = page.objects.size();
    pugi::xml_node key = Child(n, "Key");
    if (!key) {
      return Status::IOError("malformed S3 ListObjectsV2 response: entry " +
                             std::to_string(index + 1) + " has no <Key>");
    }
    ListedObject obj;
    obj.key = Text(key);
    // An empty <Key/> names no object (found by tests/fuzz/s3_xml_fuzz).
    if (obj.key.empty()) {
      return Status::IOError("malformed S3 ListObjectsV2 response: entry " +
                             std::to_string(index + 1) + " has an empty <Key>");
    }
    RUNLAKE_ASSIGN_OR_RAISE(obj.size, ParseSize(Text(Child(n, "Size")), index));
    obj.etag = Text(Child(n, "ETag"));
    page.objects.push_back(std::move(obj));
  }
  std::string truncated = Text(Child(root, "IsTruncated"));
  if (truncated != "true" && truncated != "false") {
    return Status::IOError("malformed S3 ListObjectsV2 response: <IsTruncated> is '" +
                           truncated + "', not true or false");
  }
  page.truncated = truncated == "true";
  if (page.truncated) {
    page.next_token = Text(Child(root, "NextContinuationToken"));
    if (page.next_token.empty()) {
      return Status::IOError(
          "malformed S3 ListObjectsV2 response: truncated page without a "
          "<NextContinuationToken>");
    }
  }
  return page;
}

Result<std::string> ParseUploadId(std::string_view body) {
  pugi::xml_document doc;
  RUNLAKE_RETURN_NOT_OK(Load(doc, body, "CreateMultipartUpload"));
  std::string id = Text(Child(Root(doc), "UploadId"));
  if (id.empty()) {
    return Status::IOError("S3 CreateMultipartUpload response has no <UploadId>");
  }
  return id;
}

ErrorInfo ParseError(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body, "error").ok()) return {};
  pugi::xml_node root = Root(doc);
  if (LocalName(root.name()) != "Error") return {};
  return ErrorInfo{Text(Child(root, "Code")), Text(Child(root, "Message"))};
}

namespace {

// The first element named `local` anywhere under `node` (depth first).
pugi::xml_node Find(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node n : node.children()) {
    if (n.type() != pugi::node_element) continue;
    if (LocalName(n.name()) == local) return n;
    if (pugi::xml_node f = Find(n, local)) return f;
  }
  return {};
}

}  // namespace

Result<StsCredentialsXml> ParseStsCredentials(std::string_view body) {
  pugi::xml_document doc;
  RUNLAKE_RETURN_NOT_OK(Load(doc, body, "STS"));
  pugi::xml_node creds = Find(doc, "Credentials");
  StsCredentialsXml out{Text(Child(creds, "AccessKeyId")), Text(Child(creds, "SecretAccessKey")),
                        Text(Child(creds, "SessionToken")), Text(Child(creds, "Expiration"))};
  if (!creds || out.access_key_id.empty() || out.secret_access_key.empty() ||
      out.session_token.empty() || out.expiration.empty()) {
    return Status::IOError("STS answer without AccessKeyId, SecretAccessKey, SessionToken and "
                           "Expiration in <Credentials>");
  }
  return out;
}

ErrorInfo ParseStsError(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body, "error").ok()) return {};
  pugi::xml_node err = Find(doc, "Error");
  if (!err) return {};
  return ErrorInfo{Text(Child(err, "Code")), Text(Child(err, "Message"))};
}

std::string ParseErrorRegion(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body, "error").ok()) return {};
  pugi::xml_node root = Root(doc);
  if (LocalName(root.name()) != "Error") return {};
  return Text(Child(root, "Region"));
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace runlake::s3

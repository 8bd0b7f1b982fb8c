// The S3 response parsers (pugixml underneath) on arbitrary bodies: ListObjectsV2 pages,
// multipart upload ids and error documents. They must refuse bad XML with a Status and
// never crash; an accepted page is consistent (a truncated page has its token, sizes fit).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "store/s3_xml_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto page = runlake::s3::ParseListObjectsV2(body);
  if (page.ok()) {
    runlake::fuzz::Check(!page->truncated || !page->next_token.empty(),
                         "a truncated page needs a continuation token");
    for (const auto& o : page->objects) {
      runlake::fuzz::Check(!o.key.empty(), "a listed object needs a key");
    }
  }
  auto upload = runlake::s3::ParseUploadId(body);
  if (upload.ok()) runlake::fuzz::Check(!upload->empty(), "empty upload id accepted");
  auto error = runlake::s3::ParseError(body);
  (void)error;
  return 0;
}

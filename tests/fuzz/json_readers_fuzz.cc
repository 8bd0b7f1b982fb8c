// The JSON readers of untrusted lake and user files: rules (--rules), run input
// (--input), run manifests (_runs/<RID>.json) and pointer versions. Byte 0 picks the
// reader. Every reader must refuse bad input with a Status (never throw, never crash),
// and what it accepts must survive a round trip through its writer unchanged.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "runlake/execution_runner.h"
#include "runlake/pointer.h"
#include "runlake/rules.h"
#include "runlake/run_manifest.h"

using runlake::fuzz::Check;
using json = nlohmann::json;

namespace {

void Rules(const std::string& text) {
  auto r = runlake::ParseRules(text, "rules.json");
  if (!r.ok()) {
    Check(r.status().code() == runlake::StatusCode::kInvalidArgument, r.status().ToString());
    Check(r.status().message().rfind("rules.json", 0) == 0, "error must name the file");
    return;
  }
  auto again = runlake::ParseRules(r->CanonicalJson(), "canonical");
  Check(again.ok(), "canonical rules do not parse: " + again.status().ToString());
  Check(again->CanonicalJson() == r->CanonicalJson(), "rules round trip");
}

void RunInput(const std::string& text) {
  auto in = runlake::ParseExecutionInput(text, "input.json");
  if (!in.ok()) {
    Check(in.status().code() == runlake::StatusCode::kInvalidArgument, in.status().ToString());
    Check(in.status().message().rfind("input.json", 0) == 0, "error must name the file");
    return;
  }
  Check(!in->s3_keys.empty() && in->s3_key == in->s3_keys.front(), "s3_key is the first key");
  Check(!in->schema_version.empty(), "schema_version defaults");
}

template <typename T, typename From, typename To>
void RoundTrip(const std::string& text, From from, To to) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return;
  auto v = from(j, "object.json");
  if (!v.ok()) {
    Check(v.status().message().find("object.json") != std::string::npos,
          "error must name the object: " + v.status().ToString());
    return;
  }
  json written = to(*v);
  auto back = from(written, "written");
  Check(back.ok(), "written form does not read back: " + back.status().ToString());
  Check(to(*back) == written, "round trip changed " + written.dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      Rules(text);
      break;
    case 1:
      RunInput(text);
      break;
    case 2:
      RoundTrip<runlake::RunManifest>(text, runlake::ManifestFromJson, runlake::ManifestToJson);
      break;
    case 3:
      RoundTrip<runlake::PointerVersion>(text, runlake::PointerFromJson, runlake::PointerToJson);
      break;
  }
  return 0;
}

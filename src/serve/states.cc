#include "serve/states.h"

#include "serve/html.h"

namespace runlake::serve {

namespace {
const StateLook kLooks[] = {
    {"queued", "\xE2\x97\x8B", "queued"},            // ○
    {"running", "\xE2\x97\x90", "running"},          // ◐
    {"succeeded", "\xE2\x9C\x93", "succeeded"},      // ✓
    {"gate_failed", "\xE2\x9A\xA0", "gate failed"},  // ⚠
    {"failed", "\xE2\x9C\x97", "failed"},            // ✗
    {"timed_out", "\xE2\x97\xB7", "timed out"},      // ◷
    {"aborted", "\xE2\x8A\x98", "aborted"},          // ⊘
    {"canonical", "\xE2\x98\x85", "canonical"},      // ★
    {"missing", "\xE2\x88\x85", "no bronze"},        // ∅
    {"unprocessed", "\xC2\xB7", "never processed"},  // ·
    {"corrupt", "\xE2\x8A\x97", "corrupt"},            // ⊗
};
const StateLook kUnknown = {"unknown", "?", "unknown"};
}  // namespace

const StateLook& LookOf(const std::string& name) {
  for (const auto& l : kLooks) {
    if (name == l.name) return l;
  }
  return kUnknown;
}

std::string StateOfExecution(const std::string& status) {
  if (status == "RUNNING") return "running";
  if (status == "SUCCEEDED") return "succeeded";
  if (status == "FAILED") return "failed";
  if (status == "TIMED_OUT") return "timed_out";
  if (status == "ABORTED") return "aborted";
  if (status == "PENDING" || status == "QUEUED") return "queued";
  return "unknown";
}

std::string StateCell(const std::string& name, const std::string& title) {
  const StateLook& l = LookOf(name);
  return std::string("<span class=\"cell st-") + l.name + "\" data-state=\"" + l.name +
         "\" title=\"" + Esc(title) + "\">" + l.glyph + "</span>";
}

std::string StateLegend() {
  std::string out = "<p class=\"legend\">";
  for (const auto& l : kLooks)
    out += "<span>" + StateCell(l.name, l.label) + " " + l.label + "</span>";
  return out + "<span><span class=\"badge\">&#8800;</span> differs from canonical</span></p>";
}

}  // namespace runlake::serve

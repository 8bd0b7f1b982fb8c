// One YAML document from a contract's text (see yaml_document_internal.h).
//
// Not YAML::LoadAll: in yaml-cpp 0.7 (Debian 12) it loops forever, allocating, on text as
// small as "{}," (a parser error leaves HandleNextDocument returning true with a null
// document each time: jbeder/yaml-cpp#1040, fixed upstream by #1319 in 2024). Found by
// tests/fuzz/contract_fuzz within seconds. So the document is built by YAML::Load (one
// HandleNextDocument), and a second parse asks at most once more whether anything follows.

#include <yaml-cpp/eventhandler.h>

#include <sstream>

#include "contract/yaml_document_internal.h"
#include "contract/yaml_fields_internal.h"

namespace runlake::contract_internal {
namespace {

// A contract is a page of text; a bigger one is a mistake (or an attack on the parser).
constexpr size_t kMaxContractBytes = size_t{1} << 20;

// Ignores every event but where the document starts.
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

Result<YAML::Node> LoadOneDocument(std::string_view text, const std::string& origin) {
  const At root{&origin, "<document>", YAML::Mark()};
  if (text.size() > kMaxContractBytes) return root.Invalid("a contract is at most 1 MiB");
  try {
    const std::string copy(text);
    YAML::Node doc = YAML::Load(copy);
    if (!doc.IsDefined() || doc.IsNull()) return root.Invalid("the contract is empty");
    std::istringstream in(copy);
    YAML::Parser parser(in);
    DocumentStarts starts;
    if (parser.HandleNextDocument(starts) && parser.HandleNextDocument(starts)) {
      return At{&origin, "<document>", starts.start}.Invalid("a contract is one YAML document");
    }
    return doc;
  } catch (const YAML::Exception& e) {
    // Syntax errors, and nesting deep enough to trip yaml-cpp's recursion guard.
    return At{&origin, "<document>", e.mark}.Invalid("YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status::Internal(origin + ": loading the contract: " + e.what());
  }
}

}  // namespace runlake::contract_internal

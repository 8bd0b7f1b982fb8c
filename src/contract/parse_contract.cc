// ParseContract (runlake/contract.h): the document's top-level keys, then the schema
// versions, then what refers across them (partition_by, key). yaml-cpp throws; nothing of
// it leaves this file.

#include <yaml-cpp/yaml.h>

#include <limits>

#include "contract/names.h"
#include "contract/parse_internal.h"
#include "contract/yaml_document_internal.h"
#include "runlake/contract.h"

namespace runlake {
namespace {

using namespace contract_internal;  // NOLINT: this file is the loader's front door

Status ReadSource(const Field& f, ContractSource* out) {
  RUNLAKE_ASSIGN_OR_RAISE(Fields fields,
                          Fields::Read(f.value, f.at, {"format", "delimiter", "max_record_bytes"}));
  if (const Field* format = fields.Get("format")) {
    RUNLAKE_ASSIGN_OR_RAISE(out->format, ReadString(*format));
    if (out->format != "csv") return format->at.Invalid("unsupported format (formats: csv)");
  }
  if (const Field* d = fields.Get("delimiter")) {
    RUNLAKE_ASSIGN_OR_RAISE(std::string text, ReadString(*d));
    // The quote and line ends already mean something in RFC 4180.
    if (text.size() != 1 || text[0] == '"' || text[0] == '\n' || text[0] == '\r') {
      return d->at.Invalid("a delimiter is one byte, not '\"' or a line end");
    }
    out->delimiter = text[0];
  }
  if (const Field* m = fields.Get("max_record_bytes")) {
    // The rules file's bounds: the reader's memory grows with this limit.
    RUNLAKE_ASSIGN_OR_RAISE(out->max_record_bytes, ReadInt(*m, 1024, int64_t{1} << 30));
  }
  return Status::OK();
}

Status ReadGate(const Field& f, ContractGate* out) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Fields fields, Fields::Read(f.value, f.at, {"max_quarantine_rate", "max_condemned_rows"}));
  if (const Field* rate = fields.Get("max_quarantine_rate")) {
    RUNLAKE_ASSIGN_OR_RAISE(out->max_quarantine_rate, ReadNumber(*rate, 0));
  }
  if (const Field* rows = fields.Get("max_condemned_rows")) {
    RUNLAKE_ASSIGN_OR_RAISE(out->max_condemned_rows,
                            ReadInt(*rows, 0, std::numeric_limits<int64_t>::max()));
  }
  return Status::OK();
}

Result<std::string> ReadChecked(const Field& f, std::string (*problem_of)(std::string_view)) {
  RUNLAKE_ASSIGN_OR_RAISE(std::string text, ReadString(f));
  std::string problem = problem_of(text);
  if (!problem.empty()) return f.at.Invalid(problem);
  return text;
}

Result<std::vector<VersionDraft>> ReadVersions(const Field& f) {
  RUNLAKE_ASSIGN_OR_RAISE(Fields fields, Fields::ReadAnyKeys(f.value, f.at));
  if (fields.entries().empty()) return f.at.Invalid("expected at least one schema version");
  std::vector<VersionDraft> out;
  for (const auto& [name, field] : fields.entries()) {
    std::string problem = VersionNameProblem(name);
    if (!problem.empty()) return field.key_at.Invalid(problem);
    RUNLAKE_ASSIGN_OR_RAISE(VersionDraft v, ParseVersion(name, field));
    out.push_back(std::move(v));
  }
  return out;
}

Result<Contract> Load(const YAML::Node& doc, const At& root) {
  RUNLAKE_ASSIGN_OR_RAISE(Fields top,
                          Fields::Read(doc, root,
                                       {"dataset", "description", "source", "partition_by", "key",
                                        "key_reason", "max_attempts", "gate", "schemas"}));
  Contract c;
  RUNLAKE_ASSIGN_OR_RAISE(const Field* dataset, top.Require("dataset"));
  RUNLAKE_ASSIGN_OR_RAISE(c.dataset, ReadChecked(*dataset, DatasetNameProblem));
  if (const Field* f = top.Get("description")) {
    RUNLAKE_ASSIGN_OR_RAISE(c.description, ReadString(*f));
  }
  if (const Field* f = top.Get("source")) RUNLAKE_RETURN_NOT_OK(ReadSource(*f, &c.source));
  const Field* partition_by = top.Get("partition_by");
  if (partition_by != nullptr) {
    RUNLAKE_ASSIGN_OR_RAISE(c.partition_by, ReadString(*partition_by));
  }
  std::vector<Item> key;
  if (const Field* f = top.Get("key")) {
    RUNLAKE_ASSIGN_OR_RAISE(key, ReadStringList(*f));
    c.key = Texts(key);
  }
  if (const Field* f = top.Get("key_reason")) {
    RUNLAKE_ASSIGN_OR_RAISE(c.key_reason, ReadChecked(*f, ReasonCodeProblem));
  }
  if (const Field* f = top.Get("max_attempts")) {
    RUNLAKE_ASSIGN_OR_RAISE(int64_t n, ReadInt(*f, 1, 1000000));  // as the rules file
    c.max_attempts = static_cast<int>(n);
  }
  if (const Field* f = top.Get("gate")) RUNLAKE_RETURN_NOT_OK(ReadGate(*f, &c.gate));
  RUNLAKE_ASSIGN_OR_RAISE(const Field* schemas, top.Require("schemas"));
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<VersionDraft> drafts, ReadVersions(*schemas));
  RUNLAKE_ASSIGN_OR_RAISE(c.schemas, ResolveVersions(drafts));
  RUNLAKE_RETURN_NOT_OK(CheckPartitionAndKey(c, partition_by, key));
  return c;
}

}  // namespace

Result<Contract> ParseContract(std::string_view text, const std::string& origin) {
  RUNLAKE_ASSIGN_OR_RAISE(YAML::Node doc, LoadOneDocument(text, origin));
  try {
    RUNLAKE_ASSIGN_OR_RAISE(Contract c, Load(doc, At{&origin, "<document>", YAML::Mark()}));
    c.sha256 = ContractSha256(text);
    return c;
  } catch (const std::exception& e) {
    // The readers check each node's kind before using it; this is for what they missed.
    return Status::Internal(origin + ": loading the contract: " + e.what());
  }
}

}  // namespace runlake

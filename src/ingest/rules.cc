// The rules file (DESIGN.md "Rows"): parsing with precise errors, built-in defaults, and
// the hash recorded by runs as rules_hash.

#include "runlake/rules.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/json_duplicates.h"
#include "common/sha256.h"
#include "ingest/timestamp_format.h"

namespace runlake {
namespace {

using nlohmann::json;

constexpr int64_t kMinRecordBytes = 1024;
constexpr int64_t kMaxRecordBytes = int64_t{1} << 30;

const std::vector<std::string>& DefaultTimestampFormats() {
  static const std::vector<std::string> formats = {
      "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S%z",
      "%Y-%m-%d %H:%M:%S",  "%Y-%m-%dT%H:%M:%S",
  };
  return formats;
}

// nlohmann reports a 1-based count of bytes read; operators want line and column.
std::string SyntaxError(const std::string& text, const json::parse_error& e,
                        const std::string& origin) {
  size_t offset = e.byte == 0 ? 0 : std::min<size_t>(e.byte - 1, text.size());
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  size_t column = offset - line_start + 1;
  // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: <problem>".
  std::string what = e.what();
  size_t at = what.find(": ", what.find("parse error"));
  std::string problem = at == std::string::npos ? what : what.substr(at + 2);
  return origin + ": line " + std::to_string(line) + " column " + std::to_string(column) + ": " +
         problem;
}

Status Invalid(const std::string& origin, const std::string& problem) {
  return Status::InvalidArgument(origin + ": " + problem);
}

Status ReadStringList(const json& value, const std::string& key, const std::string& origin,
                      std::vector<std::string>* out) {
  if (!value.is_array()) return Invalid(origin, "'" + key + "' must be an array of strings");
  out->clear();
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string() || value[i].get_ref<const std::string&>().empty()) {
      return Invalid(origin, "'" + key + "'[" + std::to_string(i) + "] must be a non-empty string");
    }
    out->push_back(value[i].get<std::string>());
  }
  // An empty list would silently reject every row; that is a mistake, not a policy.
  if (out->empty()) return Invalid(origin, "'" + key + "' must not be empty");
  return Status::OK();
}

Status ReadGate(const json& gate, const std::string& origin, QualityGate* out) {
  if (!gate.is_object()) return Invalid(origin, "'gate' must be an object");
  for (const auto& [key, value] : gate.items()) {
    if (key == "max_quarantine_rate") {
      if (!value.is_number() || value.get<double>() < 0) {
        return Invalid(origin, "'gate.max_quarantine_rate' must be a number >= 0");
      }
      out->max_quarantine_rate = value.get<double>();
    } else if (key == "max_condemned_rows") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0) {
        return Invalid(origin, "'gate.max_condemned_rows' must be an integer >= 0");
      }
      out->max_condemned_rows = value.get<int64_t>();
    } else {
      return Invalid(origin, "unknown key 'gate." + key +
                                 "' (known: max_quarantine_rate, max_condemned_rows)");
    }
  }
  return Status::OK();
}

Status ReadWindow(const json& window, const std::string& origin, TxDateWindow* out) {
  if (window.is_null()) {
    *out = TxDateWindow{std::nullopt, std::nullopt};
    return Status::OK();
  }
  if (!window.is_object()) return Invalid(origin, "'tx_date_window' must be an object or null");
  for (const auto& [key, value] : window.items()) {
    if (key == "not_before") {
      int64_t micros = 0;
      if (value.is_null()) {
        out->not_before.reset();
      } else if (!value.is_string() || !ParseDayMicros(value.get<std::string>(), &micros)) {
        return Invalid(origin, "'tx_date_window.not_before' must be a date YYYY-MM-DD or null");
      } else {
        out->not_before = value.get<std::string>();
      }
    } else if (key == "max_days_after_ingest") {
      if (value.is_null()) {
        out->max_days_after_ingest.reset();
      } else if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
                 value.get<int64_t>() > 3660000) {
        return Invalid(origin,
                       "'tx_date_window.max_days_after_ingest' must be an integer >= 0 or null");
      } else {
        out->max_days_after_ingest = static_cast<int>(value.get<int64_t>());
      }
    } else {
      return Invalid(origin, "unknown key 'tx_date_window." + key +
                                 "' (known: not_before, max_days_after_ingest)");
    }
  }
  return Status::OK();
}

Status ReadRules(const json& doc, const std::string& origin, Rules* rules) {
  if (!doc.is_object()) return Invalid(origin, "the rules must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    rules->given.insert(key);
    if (key == "currencies") {
      RUNLAKE_RETURN_NOT_OK(ReadStringList(value, key, origin, &rules->currencies));
    } else if (key == "timestamp_formats") {
      RUNLAKE_RETURN_NOT_OK(ReadStringList(value, key, origin, &rules->timestamp_formats));
      for (const std::string& f : rules->timestamp_formats) {
        Status st = TimestampFormat::Compile(f).status();
        if (!st.ok()) return Invalid(origin, "'timestamp_formats': " + st.message());
      }
    } else if (key == "max_attempts") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > 1000000) {
        return Invalid(origin, "'max_attempts' must be an integer >= 1");
      }
      rules->max_attempts = static_cast<int>(value.get<int64_t>());
    } else if (key == "gate") {
      RUNLAKE_RETURN_NOT_OK(ReadGate(value, origin, &rules->gate));
    } else if (key == "tx_date_window") {
      RUNLAKE_RETURN_NOT_OK(ReadWindow(value, origin, &rules->tx_date_window));
    } else if (key == "max_record_bytes") {
      if (!value.is_number_integer() || value.get<int64_t>() < kMinRecordBytes ||
          value.get<int64_t>() > kMaxRecordBytes) {
        return Invalid(origin, "'max_record_bytes' must be an integer from " +
                                   std::to_string(kMinRecordBytes) + " to " +
                                   std::to_string(kMaxRecordBytes));
      }
      rules->max_record_bytes = value.get<int64_t>();
    } else {
      return Invalid(origin, "unknown key '" + key +
                                 "' (known: currencies, timestamp_formats, max_attempts, gate, "
                                 "tx_date_window, max_record_bytes)");
    }
  }
  return Status::OK();
}

}  // namespace

Rules Rules::Defaults() {
  Rules r;
  r.currencies = Iso4217Codes();
  r.timestamp_formats = DefaultTimestampFormats();
  r.hash = Sha256::Of(r.CanonicalJson());
  return r;
}

std::string Rules::CanonicalJson() const {
  json doc = {
      {"currencies", currencies},
      {"timestamp_formats", timestamp_formats},
      {"max_attempts", max_attempts},
      {"gate",
       {{"max_quarantine_rate", gate.max_quarantine_rate},
        {"max_condemned_rows", gate.max_condemned_rows}}},
      {"tx_date_window",
       {{"not_before", tx_date_window.not_before ? json(*tx_date_window.not_before) : json()},
        {"max_days_after_ingest", tx_date_window.max_days_after_ingest
                                      ? json(*tx_date_window.max_days_after_ingest)
                                      : json()}}},
      {"max_record_bytes", max_record_bytes},
  };
  return doc.dump();  // nlohmann objects are std::map: keys come out sorted
}

Result<Rules> ParseRules(const std::string& json_text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument(SyntaxError(json_text, e, origin));
  } catch (const json::exception& e) {
    // A number too big for a double (`4E444`) is out_of_range, not a parse_error (found
    // by tests/fuzz/json_readers_fuzz: it used to end the process).
    return Status::InvalidArgument(origin + ": not valid JSON: " + e.what());
  }
  if (auto dup = FirstDuplicateKey(json_text)) {
    return Status::InvalidArgument(origin + ": key '" + *dup + "' appears twice (which one was meant?)");
  }
  Rules rules = Rules::Defaults();
  RUNLAKE_RETURN_NOT_OK(ReadRules(doc, origin, &rules));
  rules.hash = Sha256::Of(json_text);
  return rules;
}

Result<Rules> LoadRulesFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument("rules file " + path + ": is a directory");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string why = err != 0 ? std::strerror(err) : "cannot open";
    if (err == ENOENT) return Status::NotFound("rules file " + path + ": " + why);
    return Status::InvalidArgument("rules file " + path + ": " + why);
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return Status::IOError("rules file " + path + ": read error");
  return ParseRules(bytes.str(), path);
}

}  // namespace runlake

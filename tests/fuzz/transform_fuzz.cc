// The row transformer (scanner + checks 1-6 of DESIGN.md "Rows") against a reference
// written the obvious way: records from the naive parser, each check as its sentence in
// DESIGN.md, UTF-8 decoded by the Unicode table, amounts as strings, timestamps through
// <regex> and <chrono>. Same rows valid (same values), same rows rejected with the same
// validation_errors, in the same order, on both the in-memory and the spilled duplicate
// paths.
//
// Input: byte 0 picks options (bit 0: prepend the v1 header; bit 1: spill duplicate IDs
// after 2 in memory; bits 2-7: read size), the rest is the CSV.

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "ingest/csv_reference.h"
#include "ingest/test_util.h"
#include "ingest/transform.h"

namespace {

using runlake::fuzz::Check;

const char* kRequired[] = {"TransactionID", "CustomerID", "TransactionAmount", "Currency",
                           "TransactionTimestamp"};
const std::set<std::string> kCurrencies = {"EUR", "GBP", "USD"};

std::string Trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Well-formed UTF-8 per the Unicode standard's table 3-7, and no NUL.
bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c == 0) return false;
    int n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c == 0xE0) { n = 2; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) n = 2;
    else if (c == 0xED) { n = 2; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) n = 2;
    else if (c == 0xF0) { n = 3; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) n = 3;
    else if (c == 0xF4) { n = 3; hi = 0x8F; }
    else return false;
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char t = s[i + k];
      unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (t < l || t > h) return false;
    }
    i += n + 1;
  }
  return true;
}

// -?digits(.d or .dd)?, at most 14 digits once leading zeros go.
bool RefAmount(const std::string& s, int64_t* cents) {
  static const std::regex re("(-?)([0-9]+)(?:\\.([0-9]{1,2}))?");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return false;
  std::string units = m[2].str();
  units.erase(0, std::min(units.find_first_not_of('0'), units.size()));
  if (units.size() > 14) return false;
  std::string frac = m[3].str();
  while (frac.size() < 2) frac += '0';
  int64_t v = (units.empty() ? 0 : std::stoll(units)) * 100 + std::stoll(frac);
  *cents = m[1].length() ? -v : v;
  return true;
}

// %Y-%m-%dT%H:%M:%SZ, the fuzz rules' only format, with no window.
bool RefTimestamp(const std::string& s, int64_t* micros) {
  static const std::regex re("([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return false;
  using namespace std::chrono;
  year_month_day ymd{year{std::stoi(m[1])}, month{unsigned(std::stoi(m[2]))},
                     day{unsigned(std::stoi(m[3]))}};
  int h = std::stoi(m[4]), mi = std::stoi(m[5]), sec = std::stoi(m[6]);
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return false;
  auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec);
  *micros = duration_cast<microseconds>(t.time_since_epoch()).count();
  return true;
}

struct RefRow {
  int64_t line;
  bool valid;
  std::string errors;  // validation_errors
  std::string id;
  int64_t cents = 0, micros = 0;
};

// Nullopt when the header lacks a required column (the transformer refuses the file).
std::optional<std::vector<RefRow>> Reference(const std::string& csv) {
  auto recs = runlake::ingest_test::ReferenceParse(csv);
  if (recs.empty()) return std::nullopt;
  const auto& header = recs[0].fields;
  size_t col[5];
  for (int c = 0; c < 5; ++c) {
    int found = 0;
    for (size_t i = 0; i < header.size(); ++i) {
      if (Trim(header[i]) == kRequired[c]) col[c] = i, ++found;
    }
    if (found != 1) return std::nullopt;
  }
  std::vector<RefRow> rows;
  std::set<std::string> seen;
  for (size_t r = 1; r < recs.size(); ++r) {
    const auto& rec = recs[r];
    std::vector<std::string> fails;
    bool schema_ok = !rec.broken && rec.fields.size() == header.size();
    if (!schema_ok) fails.push_back("SCHEMA_ERROR");
    // DESIGN.md: a byte order mark after the file's start is an ENCODING_ERROR as well.
    if (!ValidUtf8(rec.raw) || rec.raw.find("\xEF\xBB\xBF") != std::string::npos) fails.push_back("ENCODING_ERROR");
    RefRow row{rec.line, false, "", ""};
    if (schema_ok) {
      std::string f[5];
      for (int c = 0; c < 5; ++c) f[c] = rec.fields[col[c]];
      row.id = Trim(f[0]);
      bool null = false;
      for (auto& v : f) null |= Trim(v).empty();
      if (null) fails.push_back("NULL_VALUE_ERROR");
      if (!Trim(f[3]).empty() && !kCurrencies.count(f[3])) fails.push_back("CURRENCY_ERROR");
      if (!Trim(f[2]).empty() && !RefAmount(f[2], &row.cents)) fails.push_back("TYPE_ERROR");
      if (!Trim(f[4]).empty() && !RefTimestamp(f[4], &row.micros)) fails.push_back("TIMESTAMP_ERROR");
      if (!row.id.empty() && !seen.insert(row.id).second) fails.push_back("DUPLICATE_TRANSACTION_ID");
    }
    for (size_t i = 0; i < fails.size(); ++i) row.errors += (i ? "," : "") + fails[i];
    row.valid = fails.empty();
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t opts = data[0];
  std::string csv(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (opts & 1) csv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n" + csv;
  const size_t chunk = 1 + (opts >> 2);

  runlake::TransformOptions o;
  o.rules = runlake::Rules::Defaults();
  o.rules.currencies = {kCurrencies.begin(), kCurrencies.end()};
  o.rules.timestamp_formats = {"%Y-%m-%dT%H:%M:%SZ"};
  o.rules.tx_date_window = {std::nullopt, std::nullopt};
  o.rules.given = {"currencies", "timestamp_formats", "tx_date_window"};
  o.schema_version = "v1";
  o.source_name = "fuzz.csv";
  o.batch_rows = 7;
  std::string spill;
  if (opts & 2) {
    spill = "/tmp/runlake-fuzz-spill-" + std::to_string(getpid());
    std::filesystem::create_directories(spill);
    o.memory_ids = 2;
    o.spill_dir = spill;
    o.reopen = [csv, chunk]() -> runlake::Result<std::unique_ptr<runlake::ObjectReader>> {
      return runlake::ingest_test::Reader(csv, chunk, 1);
    };
  }
  // The spill folder goes on every return (declared before the transformer: removed after
  // it closes its files), not only after a full comparison: FuzzCorpusReplay runs the
  // inputs in a fresh process each test run, so a pid's folder left behind would pile up.
  struct RemoveSpill {
    const std::string& dir;
    ~RemoveSpill() {
      std::error_code ec;
      if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
  } remove_spill{spill};
  auto expected = Reference(csv);
  auto t = runlake::RowTransformer::Open(runlake::ingest_test::Reader(csv, chunk, 1), o);
  if (!t.ok()) {
    // Refusing a file whose header has every column once is allowed only for the
    // documented reasons (binary-looking header, or no data rows later).
    Check(!expected || t.status().code() == runlake::StatusCode::kInvalidArgument,
          "Open: " + t.status().ToString());
    return 0;
  }
  Check(expected.has_value(), "transformer accepted a header the reference refuses");
  std::vector<RefRow> got;
  runlake::ValidRows valid;
  runlake::RejectedRows rejected;
  while (true) {
    auto more = (*t)->Next(&valid, &rejected);
    if (!more.ok()) {
      Check(more.status().code() == runlake::StatusCode::kInvalidArgument && expected->empty(),
            "Next: " + more.status().ToString());
      return 0;
    }
    if (!*more) break;
    // Batches hold valid and rejected rows apart; merge them back by line.
    size_t v = 0, r = 0;
    while (v < valid.size() || r < rejected.size()) {
      bool take_valid = r == rejected.size() ||
                        (v < valid.size() && valid.source_line[v] < rejected.source_line[r]);
      if (take_valid) {
        // The transactions contract's columns: transaction_id 0, amount 2, tx_date 4.
        got.push_back({valid.source_line[v], true, "", std::string(valid.columns[0].strings[v]),
                       valid.columns[2].words[v], valid.columns[4].words[v]});
        ++v;
      } else {
        got.push_back(
            {rejected.source_line[r], false, std::string(rejected.validation_errors[r]), ""});
        Check(rejected.validation_error[r] ==
                  rejected.validation_errors[r].substr(0, rejected.validation_errors[r].find(',')),
              "validation_error must be the first of validation_errors");
        ++r;
      }
    }
  }
  const auto& stats = (*t)->stats();
  Check(stats.input_rows == stats.valid_rows + stats.quarantined_rows + stats.condemned_rows,
        "conservation");
  Check(got.size() == expected->size(), "rows " + std::to_string(got.size()) + " != reference " +
                                            std::to_string(expected->size()));
  for (size_t i = 0; i < got.size(); ++i) {
    const RefRow &a = got[i], &b = (*expected)[i];
    std::string where = "row " + std::to_string(i) + " (line " + std::to_string(b.line) + "): ";
    Check(a.line == b.line, where + "line " + std::to_string(a.line));
    Check(a.valid == b.valid, where + "transformer says " + (a.valid ? "valid" : a.errors) +
                                  ", reference " + (b.valid ? "valid" : b.errors));
    Check(a.errors == b.errors, where + a.errors + " != " + b.errors);
    if (a.valid) {
      Check(a.id == b.id && a.cents == b.cents && a.micros == b.micros, where + "values differ");
    }
  }
  return 0;
}

#pragma once
// RowPlan: one schema version of a contract compiled, once per source, into what checking a
// record needs (DESIGN.md "Datasets are declared in contracts"): per column its field index
// in the bronze header, its parser, its value checks with their reason codes, and its slot
// in the output row. Evaluating a record is then a loop over the plan with no allocation
// per field: arrow's csv Converter shape (one converter per column, picked from its type).
//
// RowTransformer (transform.h) runs one plan per source. The key check is not here: it needs
// the set of keys seen earlier in the source (duplicate_ids.h).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/contract.h"
#include "runlake/row_batch.h"
#include "runlake/status.h"

namespace runlake {

struct Rules;

// The rules file's overrides (DESIGN.md "Revisions"): `currencies`, `timestamp_formats` and
// `tx_date_window` apply to the transactions contract's `currency` and `tx_date` columns
// only; for other contracts they are ignored. Each unset one leaves the contract's own.
struct RowPlanOverrides {
  std::optional<std::vector<std::string>> currencies;         // replaces currency's enum
  std::optional<std::vector<std::string>> timestamp_formats;  // replaces tx_date's formats
  // Replaces tx_date's window; an engaged optional holding nullopt removes it.
  std::optional<std::optional<DateWindow>> tx_date_window;
};

// What a rules file says for the transactions contract: each of the three that `rules` gives
// (Rules::given), so a rules file without `currencies` keeps the contract's enum.
RowPlanOverrides TransactionsOverrides(const Rules& rules);

// How an output slot stores its value: as a batch column holds it (runlake/row_batch.h).
using SlotKind = ValueKind;

// The runtime description of an evaluated row: one slot per column, in column order.
struct RowSlot {
  std::string name;
  ColumnType type;
  SlotKind kind;
  uint32_t word;  // index of its first 64-bit word in PlanRow (kInt128 takes two)
};

// The typed values of one record. A slot is null when its field is empty or did not parse
// (Text() still holds what was written); otherwise its value is set. Texts view the
// record's fields: valid while they are. The row reads its slots' layout from the plan
// that filled it: use it while that plan lives and has not moved.
class PlanRow {
 public:
  bool IsNull(size_t slot) const { return null_[slot] != 0; }
  std::string_view Text(size_t slot) const { return text_[slot]; }  // every kind
  // kInt64, kBoolean, kDate, kTimestamp (inline: the transform reads every valid row's).
  int64_t Int64(size_t slot) const { return static_cast<int64_t>(words_[(*slots_)[slot].word]); }
  // Any numeric kind, widened.
  __int128 Int128(size_t slot) const {
    const RowSlot& s = (*slots_)[slot];
    if (s.kind != SlotKind::kInt128) return Int64(slot);
    const unsigned __int128 hi = words_[s.word + 1], lo = words_[s.word];
    return static_cast<__int128>((hi << 64) | lo);
  }

 private:
  friend class RowPlan;
  std::vector<uint8_t> null_;
  std::vector<std::string_view> text_;
  std::vector<uint64_t> words_;
  const std::vector<RowSlot>* slots_ = nullptr;
};

// A record as the CSV scanner gives it (csv_scanner.h: CsvRecord's fields, raw, and
// broken_quoting || overlong).
struct PlanRecord {
  std::span<const std::string_view> fields;
  // Broken quoting or longer than max_record_bytes: SCHEMA_ERROR whatever the field count.
  bool malformed = false;
  // The record's bytes. Given, ENCODING_ERROR looks at them, as today's transform does;
  // else at the fields.
  std::optional<std::string_view> raw;
  // The source's ingest_date as days since 1970-01-01; nullopt leaves every window's
  // max_days_after_ingest bound out (as an empty ingest_date does today).
  std::optional<int64_t> ingest_day;
};

struct RowEvaluation {
  // Reason ids (RowPlan::Reason), in DESIGN.md's order, each once; empty: valid.
  std::vector<uint16_t> failures;
  PlanRow row;
  bool valid() const { return failures.empty(); }
};

class RowPlan {
 public:
  // The fixed reason ids; the contract's other reasons follow.
  static constexpr uint16_t kSchemaError = 0, kEncodingError = 1, kNullValueError = 2;

  // Compiles `version` of `contract` against the bronze header row (its fields, each
  // trimmed of spaces before matching a column's `from`). InvalidArgument for a version the
  // contract lacks, a header missing some column's `from` ("header is missing required
  // column(s) Currency": the run fails at once, nothing committed, as DESIGN.md "Rows" says), a
  // header naming a column twice, or an override format that does not compile.
  static Result<RowPlan> Compile(const Contract& contract, std::string_view version,
                                 std::span<const std::string_view> header,
                                 const RowPlanOverrides& overrides = {});

  // Checks one record and fills *out (its vectors are reused: no allocation once warm).
  void Evaluate(const PlanRecord& record, RowEvaluation* out) const;

  std::string_view Reason(uint16_t id) const { return reasons_[id]; }
  // "A,B,C": every failure's reason, as validation_errors holds them.
  std::string JoinReasons(const std::vector<uint16_t>& failures) const;
  const std::vector<RowSlot>& slots() const { return slots_; }
  // The record field a slot reads, and whether its text is trimmed (the key uses both).
  uint32_t FieldOf(size_t slot) const;
  bool Trims(size_t slot) const;
  // The id of `reason` (added to the table when new): the key's reason, which the plan
  // itself does not check.
  uint16_t ReasonId(const std::string& reason);
  size_t reason_count() const { return reasons_.size(); }
  size_t header_fields() const { return header_fields_; }
  // Header columns no column reads (trimmed, as valid UTF-8), in header order.
  const std::vector<std::string>& extra_columns() const { return extra_columns_; }

  struct ColumnPlan;  // row_plan_internal.h

  RowPlan();
  RowPlan(RowPlan&&) noexcept;
  RowPlan& operator=(RowPlan&&) noexcept;
  ~RowPlan();

 private:
  void CheckColumn(const ColumnPlan& c, std::string_view text, const PlanRecord& record,
                   RowEvaluation* out) const;

  std::vector<ColumnPlan> columns_;    // column order
  std::vector<uint32_t> check_order_;  // indexes into columns_
  std::vector<RowSlot> slots_;
  std::vector<std::string> reasons_;
  std::vector<std::string> extra_columns_;
  size_t header_fields_ = 0;
  size_t words_ = 0;
};

// "YYYY-MM-DD" as days since 1970-01-01 (PlanRecord::ingest_day); nullopt when it is not a
// calendar date.
std::optional<int64_t> IngestDay(std::string_view date);

}  // namespace runlake

// runlake bronze list: every bronze object per date, with its ingest record's size,
// sha256 and time, and the one a run of that date reads by default.

#include <iostream>

#include "cli/cli_context.h"
#include "cli/text_table.h"
#include "runlake/bronze.h"

namespace runlake::cli {
namespace {

nlohmann::json ToJson(const BronzeDate& d) {
  nlohmann::json objects = nlohmann::json::array();
  for (const BronzeObject& b : d.objects) {
    objects.push_back(
        {{"key", b.key},
         {"run_id", b.bronze_run_id},
         {"exists", b.exists},
         {"size", b.size},
         {"sha256", b.has_record ? nlohmann::json(b.sha256) : nlohmann::json()},
         {"ingested_at", b.has_record ? nlohmann::json(b.ingested_at) : nlohmann::json()},
         {"recorded_size", b.has_record ? nlohmann::json(b.recorded_size) : nlohmann::json()},
         {"default", b.is_default},
         {"problem", b.problem.empty() ? nlohmann::json() : nlohmann::json(b.problem)}});
  }
  auto or_null = [](const std::string& s) {
    return s.empty() ? nlohmann::json() : nlohmann::json(s);
  };
  return {{"ingest_date", d.date},
          {"default_key", or_null(d.default_key)},
          {"default_run_id", or_null(d.default_key.empty() ? "" : d.default_run_id)},
          {"problem", or_null(d.problem)},
          {"objects", objects}};
}

void PrintText(const DatasetId& dataset, const std::vector<BronzeDate>& dates) {
  std::vector<std::vector<std::string>> rows;
  for (const BronzeDate& d : dates) {
    if (d.objects.empty()) {
      rows.push_back({d.date, "-", "-", "-", "-", "", d.problem});
      continue;
    }
    for (const BronzeObject& b : d.objects) {
      std::string note = b.problem;
      if (b.is_default)
        note = note.empty() ? b.key : b.key + " (" + note + ")";
      else if (note.empty())
        note = b.key;
      rows.push_back({d.date, b.bronze_run_id, b.exists ? std::to_string(b.size) : "-",
                      b.has_record ? b.sha256 : "-", b.has_record ? b.ingested_at : "-",
                      b.is_default ? "*" : "", note});
    }
    if (d.default_key.empty() && !d.problem.empty()) {
      rows.push_back({d.date, "", "", "", "", "", "no default: " + d.problem});
    }
  }
  std::cout << "bronze of " << dataset.path()
            << " (* = what a run of that date reads by default)\n";
  PrintTable({"INGEST_DATE", "RUN_ID", "SIZE", "SHA256", "INGESTED_AT", "DEFAULT", "KEY / PROBLEM"},
             rows);
}

}  // namespace

void RegisterBronze(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("bronze", "Raw data in bronze: list");
  cmd->require_subcommand(1);
  static std::string date, from, to, dataset = "mortgages/transactions";
  auto* list = cmd->add_subcommand(
      "list",
      "Every bronze object per ingest_date with run_id, size, sha256 and ingest time, and the "
      "one a run reads by default. Exit 1 when a date asked for has no bronze data");
  auto* d = list->add_option("--date", date, "one ingest_date, YYYY-MM-DD");
  auto* f = list->add_option("--from", from, "first ingest_date of a range");
  auto* t = list->add_option("--to", to, "last ingest_date of a range");
  d->excludes(f)->excludes(t);
  f->needs(t);
  t->needs(f);
  list->add_option("--dataset", dataset, "domain/dataset")->capture_default_str();
  list->callback(ctx.Handle(exit_code, [&ctx, &exit_code]() -> Status {
    auto ds = ParseDatasetId(dataset);
    if (!ds.ok()) {
      return ds.status().WithContext("--dataset");
    }
    BronzeListRequest req;
    req.dataset = *ds;
    if (!date.empty()) {
      Status st = ValidateDate(date).WithContext("--date");
      if (!st.ok()) {
        return st;
      }
      req.from = req.to = date;
    } else {
      req.from = from;
      req.to = to;
    }
    auto store = ctx.Store();
    if (!store.ok()) {
      return store.status();
    }
    auto dates = ListBronze(**store, req);
    if (!dates.ok()) {
      return dates.status();
    }
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& x : *dates) arr.push_back(ToJson(x));
      ctx.PrintJson({{"dataset", ds->path()}, {"dates", arr}});
    } else {
      PrintText(*ds, *dates);
    }
    // Like `aws s3 ls` finding nothing: a date asked for without bronze fails a script.
    std::vector<std::string> missing;
    for (const auto& x : *dates) {
      if (x.default_run_id.empty() && !req.from.empty()) missing.push_back(x.date);
    }
    if (!missing.empty()) {
      std::string list = missing.front();
      for (size_t i = 1; i < missing.size() && i < 10; ++i) list += ", " + missing[i];
      if (missing.size() > 10) list += ", ... (" + std::to_string(missing.size()) + " dates)";
      std::cerr << "runlake: no bronze data for " << list << "\n";
      exit_code = kExitFailed;
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli

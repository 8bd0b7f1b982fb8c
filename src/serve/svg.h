#pragma once
// Server-side SVG charts: the pages are readable without JavaScript or any CDN. Labels
// are escaped (they come from the lake).

#include <cstdint>
#include <string>
#include <vector>

namespace runlake::serve {

// A horizontal bar of `total` split into succeeded, failed, running and the rest (queued).
std::string ProgressBarSvg(int64_t succeeded, int64_t failed, int64_t running, int64_t total);

// Stacked columns: one per x label, one segment per series (values[x][series]), with a
// legend of the series names.
std::string StackedBarsSvg(const std::vector<std::string>& x_labels,
                           const std::vector<std::string>& series,
                           const std::vector<std::vector<int64_t>>& values);

struct TimelineItem {
  std::string label;        // the row's name (a date)
  std::string start, stop;  // ISO-8601 UTC; stop "" while running
  std::string state;        // states.h name: the bar's colour
};
// One row per item: a bar from start to stop on a shared time axis. Items without a start
// (never ran) show an empty row.
std::string TimelineSvg(const std::vector<TimelineItem>& items, const std::string& now_iso);

// Seconds since the epoch of an ISO-8601 UTC time ("2026-01-29T15:00:00.123Z"); -1 when it
// does not parse.
double IsoSeconds(const std::string& iso);

}  // namespace runlake::serve

#include "serve/svg.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "serve/html.h"

namespace runlake::serve {

namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string Rect(double x, double y, double w, double h, const char* fill,
                 const std::string& title) {
  return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(std::max(w, 0.0)) +
         "\" height=\"" + Num(h) + "\" fill=\"" + fill + "\"><title>" + Esc(title) +
         "</title></rect>";
}

std::string Text(double x, double y, const std::string& text, const char* anchor = "start") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" font-size=\"11\" text-anchor=\"" +
         anchor + "\" fill=\"#1d232a\">" + Esc(text) + "</text>";
}

// The fills match the dashboard's state colours (html.cc) in a darker shade, for bars.
const char* FillOf(const std::string& state) {
  if (state == "succeeded" || state == "canonical") return "#2f9e5b";
  if (state == "running") return "#3b7ddd";
  if (state == "failed" || state == "timed_out") return "#d9534f";
  if (state == "gate_failed") return "#e0a800";
  if (state == "aborted") return "#868e96";
  return "#ced4da";
}

const char* kPalette[] = {"#d9534f", "#e0a800", "#3b7ddd", "#6f42c1",
                          "#20c997", "#fd7e14", "#868e96", "#d63384"};

}  // namespace

double IsoSeconds(const std::string& iso) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return -1;
  }
  if (iso.size() > 20 && iso[19] == '.') std::sscanf(iso.c_str() + 20, "%3d", &ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
}

std::string ProgressBarSvg(int64_t succeeded, int64_t failed, int64_t running, int64_t total) {
  const double width = 600, height = 18;
  std::string out =
      "<svg class=\"progress\" role=\"img\" width=\"" + Num(width) + "\" height=\"" + Num(height) +
      "\" viewBox=\"0 0 600 18\"><title>" +
      Esc(std::to_string(succeeded) + " succeeded, " + std::to_string(failed) + " failed, " +
          std::to_string(running) + " running of " + std::to_string(total)) +
      "</title>";
  out += Rect(0, 0, width, height, "#e9ecef", "queued");
  double x = 0, unit = total > 0 ? width / static_cast<double>(total) : 0;
  for (auto [n, state] : {std::pair{succeeded, "succeeded"}, std::pair{failed, "failed"},
                          std::pair{running, "running"}}) {
    out += Rect(x, 0, n * unit, height, FillOf(state), std::to_string(n) + " " + state);
    x += n * unit;
  }
  return out + "</svg>";
}

std::string StackedBarsSvg(const std::vector<std::string>& x_labels,
                           const std::vector<std::string>& series,
                           const std::vector<std::vector<int64_t>>& values) {
  const double height = 160, top = 10, left = 40,
               col = std::max(8.0, 700.0 / std::max<size_t>(1, x_labels.size()));
  int64_t max_total = 1;
  for (const auto& v : values) {
    int64_t t = 0;
    for (int64_t n : v) t += n;
    max_total = std::max(max_total, t);
  }
  double width = left + col * x_labels.size() + 10;
  double legend_y = top + height + 40;
  std::string out = "<svg class=\"chart\" role=\"img\" width=\"" + Num(width) + "\" height=\"" +
                    Num(legend_y + 16 * series.size() + 10) + "\">";
  out += Text(left - 4, top + 8, std::to_string(max_total), "end") +
         Text(left - 4, top + height, "0", "end");
  for (size_t x = 0; x < x_labels.size(); ++x) {
    double y = top + height;
    for (size_t s = 0; s < series.size() && s < values[x].size(); ++s) {
      double h = height * values[x][s] / static_cast<double>(max_total);
      y -= h;
      if (values[x][s] > 0) {
        out += Rect(left + col * x + 1, y, col - 2, h, kPalette[s % 8],
                    x_labels[x] + " " + series[s] + ": " + std::to_string(values[x][s]));
      }
    }
    // Every label when they fit; else about 12 of them.
    size_t step = std::max<size_t>(1, x_labels.size() / 12);
    if (x % step == 0) out += Text(left + col * x, top + height + 14, x_labels[x]);
  }
  for (size_t s = 0; s < series.size(); ++s) {
    double y = legend_y + 16 * s;
    out += Rect(left, y - 9, 10, 10, kPalette[s % 8], series[s]) + Text(left + 14, y, series[s]);
  }
  return out + "</svg>";
}

std::string TimelineSvg(const std::vector<TimelineItem>& items, const std::string& now_iso) {
  double lo = -1, hi = -1, now = IsoSeconds(now_iso);
  for (const auto& it : items) {
    double s = IsoSeconds(it.start), e = it.stop.empty() ? now : IsoSeconds(it.stop);
    if (s < 0) continue;
    lo = lo < 0 ? s : std::min(lo, s);
    hi = std::max(hi, std::max(e, s));
  }
  const double left = 90, width = 600, row = 14;
  std::string out = "<svg class=\"timeline\" role=\"img\" width=\"" + Num(left + width + 10) +
                    "\" height=\"" + Num(row * items.size() + 30) + "\">";
  double span = hi > lo ? hi - lo : 1;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    double y = 4 + row * i;
    out += Text(0, y + 10, it.label);
    double s = IsoSeconds(it.start);
    if (s < 0) continue;
    double e = it.stop.empty() ? now : IsoSeconds(it.stop);
    double x0 = left + width * (s - lo) / span, x1 = left + width * (e - lo) / span;
    out += Rect(
        x0, y, std::max(2.0, x1 - x0), row - 3, FillOf(it.state),
        it.label + " " + it.state + " " + it.start + " .. " + (it.stop.empty() ? "now" : it.stop));
  }
  if (lo >= 0) {
    double y = row * items.size() + 22;
    out += Text(left, y, "start +0 s") + Text(left + width, y, "+" + Num(span) + " s", "end");
  }
  return out + "</svg>";
}

}  // namespace runlake::serve

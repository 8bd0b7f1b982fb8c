#pragma once
// `runlake run` on a terminal: one line on stderr redrawn in place (at most 10 times a
// second, and once more at the end): how much of the bronze object is read, rows per
// second, the time left, and valid/quarantined so far. Nothing when stderr is not a
// terminal or with --json (scripts read the plain log lines and the JSON instead).

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "runlake/run.h"

namespace runlake::cli {

class RunProgressBar {
 public:
  // Draws on `out` when `enabled`.
  RunProgressBar(bool enabled, std::FILE* out = stderr) : enabled_(enabled), out_(out) {}
  ~RunProgressBar() { Finish(); }

  // The callback for StartRequest::progress; empty when disabled.
  std::function<void(const RunProgress&)> Callback() {
    if (!enabled_) return {};
    return [this](const RunProgress& p) { Update(p); };
  }

  // Ends the bar's line (the summary prints below it).
  void Finish() {
    if (drawn_ && !finished_) {
      Draw(last_);
      std::fputs("\n", out_);
      std::fflush(out_);
    }
    finished_ = true;
  }

  // "12.3 MB", "512 KB".
  static std::string Bytes(double b) {
    char buf[32];
    if (b >= 1e9) std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    else if (b >= 1e6) std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
    else std::snprintf(buf, sizeof buf, "%.0f KB", b / 1e3);
    return buf;
  }
  // The line for `p` after `seconds` (no carriage return).
  static std::string Line(const RunProgress& p, double seconds) {
    const int width = 24;
    double frac = p.source_bytes ? std::min(1.0, double(p.bytes_read) / double(p.source_bytes)) : 0;
    int full = static_cast<int>(frac * width);
    std::string bar = std::string(full, '#') + std::string(width - full, '.');
    double rate = seconds > 0 ? p.input_rows / seconds : 0;
    std::string eta = "--:--";
    if (frac > 0.01 && frac < 1) {
      int left = static_cast<int>(seconds / frac * (1 - frac));
      char buf[16];
      std::snprintf(buf, sizeof buf, "%d:%02d", left / 60, left % 60);
      eta = buf;
    } else if (frac >= 1) {
      eta = "0:00";
    }
    char line[256];
    std::snprintf(line, sizeof line,
                  "%s[%s] %3.0f%% %s/%s | %lld rows, %.0f rows/s | valid %lld, quarantined %lld | ETA %s",
                  p.source_count > 1 ? ("source " + std::to_string(p.source_index + 1) + "/" +
                                        std::to_string(p.source_count) + " ").c_str()
                                     : "",
                  bar.c_str(), frac * 100, Bytes(double(p.bytes_read)).c_str(),
                  Bytes(double(p.source_bytes)).c_str(), static_cast<long long>(p.input_rows), rate,
                  static_cast<long long>(p.valid_rows),
                  static_cast<long long>(p.quarantined_rows + p.condemned_rows), eta.c_str());
    return line;
  }

 private:
  void Update(const RunProgress& p) {
    if (p.source_index != last_.source_index) start_ = Clock::now();
    last_ = p;
    auto now = Clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    Draw(p);
  }
  void Draw(const RunProgress& p) {
    double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    // \r and clear-to-end-of-line: a shorter line leaves nothing of the longer one behind.
    std::fprintf(out_, "\r%s\033[K", Line(p, seconds).c_str());
    std::fflush(out_);
    drawn_ = true;
  }

  using Clock = std::chrono::steady_clock;
  bool enabled_, drawn_ = false, finished_ = false;
  std::FILE* out_;
  RunProgress last_;
  Clock::time_point start_ = Clock::now(), last_draw_;
};

}  // namespace runlake::cli

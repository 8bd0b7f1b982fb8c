#include "serve/html.h"

namespace runlake::serve {

std::string Esc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Link(const std::string& href, const std::string& text) {
  return "<a href=\"" + Esc(href) + "\">" + Esc(text) + "</a>";
}

std::string Table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows, const std::string& css_class) {
  std::string out = css_class.empty() ? "<table>" : "<table class=\"" + Esc(css_class) + "\">";
  out += "<thead><tr>";
  for (const auto& h : head) out += "<th>" + Esc(h) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + cell + "</td>";
    out += "</tr>";
  }
  if (rows.empty()) {
    out += "<tr><td colspan=\"" + std::to_string(head.size()) + "\" class=\"none\">none</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string RenderPage(const std::string& title, const std::string& body, int refresh_seconds) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\">";
  if (refresh_seconds > 0) {
    out += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(refresh_seconds) + "\">";
  }
  out += "<title>" + Esc(title) + " - runlake</title>";
  out += "<link rel=\"stylesheet\" href=\"/static/dashboard.css\"></head><body>";
  out +=
      "<nav><b>runlake</b> <a href=\"/\">overview</a> <a href=\"/datasets/mortgages/transactions\">"
      "matrix</a> <a href=\"/pointer\">pointer</a> <a href=\"/quarantine\">quarantine</a> "
      "<a href=\"/logs\">logs</a>";
  if (refresh_seconds > 0)
    out += " <span class=\"live\">live: refreshes every " + std::to_string(refresh_seconds) +
           " s</span>";
  out += "</nav><main><h1>" + Esc(title) + "</h1>" + body + "</main></body></html>\n";
  return out;
}

const std::string& StyleSheet() {
  // The state colours pair with glyphs (states.h): a state is never told by colour alone.
  static const std::string kCss = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#fafbfc}
nav{background:#1d2b3a;color:#fff;padding:.5em 1em}nav a{color:#cfe3ff;margin-right:.8em}
nav .live{color:#ffd866;margin-left:1em}
main{padding:1em 1.5em}h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d8dee4;padding:2px 6px;
text-align:left;vertical-align:top}th{background:#eef1f4}td.none{color:#777}
code,pre,.mono{font-family:ui-monospace,monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;background:#f2f4f6;padding:4px;margin:0}
.err{background:#fdecea;border:1px solid #e0a39b;padding:.5em 1em}
.ok{color:#176f2c}.bad{color:#b42318}
.cell{display:inline-block;min-width:1.6em;text-align:center;border-radius:3px;margin:1px;
padding:0 3px;text-decoration:none;border:1px solid #0000}
.st-queued{background:#e9ecef;color:#495057}.st-running{background:#cfe2ff;color:#084298}
.st-succeeded{background:#d1e7dd;color:#0f5132}.st-gate_failed{background:#fff3cd;color:#664d03}
.st-failed{background:#f8d7da;color:#842029}.st-aborted{background:#dee2e6;color:#41464b}
.st-timed_out{background:#f8d7da;color:#842029}
.st-canonical{background:#198754;color:#fff;border-color:#0f5132}
.st-missing{color:#b42318}.st-unprocessed{color:#6c757d}
.st-corrupt{background:#842029;color:#fff}
.badge{font-size:10px;background:#6f42c1;color:#fff;border-radius:6px;padding:0 3px;margin-left:1px}
.legend span{margin-right:1em}
)css";
  return kCss;
}

}  // namespace runlake::serve

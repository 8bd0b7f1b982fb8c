#pragma once
// HTML building blocks for the dashboard. Every string that comes from the lake or the
// request (run ids, reasons, raw records, log lines, execution names) goes through Esc:
// the pages are built by concatenation, so escaping is the one defence against a run id
// or raw record that holds markup.

#include <string>
#include <string_view>
#include <vector>

namespace runlake::serve {

// & < > " ' as entities: safe in element text and in quoted attribute values.
std::string Esc(std::string_view text);

// <a href="href">text</a>, both escaped. `href` is a path built by the pages (its lake
// parts already UrlEncode'd).
std::string Link(const std::string& href, const std::string& text);

// A table; `head` is plain text (escaped here), `rows` hold cells that are already HTML.
std::string Table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::string& css_class = "");

// A whole page: the navigation, `title` (escaped) and `body` (HTML). `refresh_seconds` > 0
// adds <meta http-equiv=refresh>: pages pass it only while something is RUNNING.
std::string RenderPage(const std::string& title, const std::string& body, int refresh_seconds);

// The stylesheet, served at /static/dashboard.css (the CSP allows styles from 'self' only,
// so the pages carry no inline style).
const std::string& StyleSheet();

// How often a live page reloads itself.
inline constexpr int kRefreshSeconds = 5;

}  // namespace runlake::serve

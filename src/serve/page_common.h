#pragma once
// Helpers the page files share: links to the other pages (lake strings UrlEncode'd in the
// path and escaped in the text), JSON values as text, paging.

#include <nlohmann/json.hpp>
#include <string>

#include "serve/html.h"
#include "serve/http_message.h"
#include "serve/pages.h"

namespace runlake::serve {

std::string RunLink(const std::string& run_id);
std::string ExecutionLink(const std::string& name);
std::string BackfillLink(const std::string& id);
std::string MatrixLink(const DatasetId& dataset);

// A JSON value as text: strings unquoted, null as "", the rest dumped.
std::string JsonText(const nlohmann::json& j);
// <pre> of escaped text.
std::string Pre(const std::string& text);
// The current time, ISO-8601 UTC.
std::string Now();
// "page N  previous  next" under `base` (which may carry a query already).
std::string PagerLinks(const std::string& base, int page, bool has_next);

inline constexpr int kPageRows = 100;

}  // namespace runlake::serve

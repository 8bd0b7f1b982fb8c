#include "serve/dashboard.h"

#include <exception>
#include <iostream>

#include "serve/html.h"
#include "serve/metrics.h"

namespace runlake::serve {

namespace {

struct RouteEntry {
  const char* prefix;  // exact path, or a prefix ending in '/' followed by an argument
  bool has_arg;
  PageFn fn;
};

const RouteEntry kRoutes[] = {
    {"/", false, OverviewPage},
    {"/pointer", false, PointerPage},
    {"/logs", false, LogsPage},
    {"/quarantine", false, QuarantinePage},
    {"/compare", false, ComparePage},
    {"/runs/", true, RunPage},
    {"/executions/", true, ExecutionPage},
    {"/datasets/", true, MatrixPage},
    {"/backfills/", true, BackfillPage},
};

// An error as a page (or, under /api, as {"error": {"status", "message"}}). `message` is
// meant for the operator: it never holds internals (500s pass a fixed text).
Response ErrorResponse(int status, const std::string& message, bool api) {
  Response r;
  r.status = status;
  if (api) {
    r.content_type = "application/json";
    r.body = nlohmann::json{{"error", {{"status", status}, {"message", message}}}}.dump(
                 2, ' ', false, nlohmann::json::error_handler_t::replace) +
             "\n";
  } else {
    r.body = RenderPage(std::to_string(status) + " " + StatusReason(status),
                        "<p class=\"err\">" + Esc(message) + "</p>", 0);
  }
  return r;
}

int HttpStatusOf(const Status& st) {
  if (st.code() == StatusCode::kNotFound) return 404;
  if (st.code() == StatusCode::kInvalidArgument) return 400;
  return 500;
}

constexpr const char* kInternal =
    "the dashboard could not build this page (the server's stderr says why)";

// Adds the headers every response carries, refusals included.
Response Secured(Response r) {
  r.headers["Content-Security-Policy"] = Dashboard::ContentSecurityPolicy();
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["Cache-Control"] = "no-store";
  r.headers["X-Frame-Options"] = "DENY";
  r.headers["Referrer-Policy"] = "no-referrer";
  if (r.status == 405) r.headers["Allow"] = "GET, HEAD";
  return r;
}

}  // namespace

const char* Dashboard::ContentSecurityPolicy() {
  return "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
         "base-uri 'none'; form-action 'self'";
}

void Dashboard::set_port(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  port_ = port;
}

bool Dashboard::HostAllowed(const std::string& host) const {
  const std::string port = ":" + std::to_string(port_);
  return host == "127.0.0.1" + port || host == "localhost" + port || host == "[::1]" + port;
}

Response Dashboard::Handle(const Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  Response r;
  try {
    r = Route(request);
  } catch (const std::exception& e) {
    std::cerr << "runlake serve: " << request.method << " page failed: " << e.what() << "\n";
    r = ErrorResponse(500, kInternal, false);
  } catch (...) {
    r = ErrorResponse(500, kInternal, false);
  }
  return Secured(std::move(r));
}

Response Dashboard::Refuse(int status, const std::string& message) {
  return Secured(ErrorResponse(status, message, false));
}

Response Dashboard::Route(const Request& request) {
  // The cheap refusals first, before the target is even decoded.
  if (request.target.size() > kMaxTargetBytes) {
    return ErrorResponse(
        414, "the request target is longer than " + std::to_string(kMaxTargetBytes) + " bytes",
        false);
  }
  // RFC 9112 3.2: more than one Host is a 400. Which one a proxy or a browser cache keys
  // on is anyone's guess, so the check below must not see only the first.
  if (request.repeated_headers.count("host")) {
    return ErrorResponse(400, "the request has more than one Host header", false);
  }
  if (!HostAllowed(request.Header("host"))) {
    return ErrorResponse(421,
                         "this dashboard answers only to 127.0.0.1:" + std::to_string(port_) +
                             ", localhost:" + std::to_string(port_) +
                             " or [::1]:" + std::to_string(port_),
                         false);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return ErrorResponse(405, "the dashboard is read-only: GET and HEAD only", false);
  }
  if (request.has_body) return ErrorResponse(400, "request bodies are refused", false);
  Target t = ParseTarget(request.target);
  if (!t.ok)
    return ErrorResponse(400, "the request target has a malformed %-escape or a NUL byte", false);

  if (t.path == "/static/dashboard.css") {
    Response css;
    css.content_type = "text/css; charset=utf-8";
    css.body = StyleSheet();
    return css;
  }
  if (t.path == "/metrics") {  // Prometheus (serve/metrics.h)
    auto text = PrometheusMetrics(*sources_.store, *sources_.state);
    if (!text.ok()) {
      std::cerr << "runlake serve: /metrics: " << text.status().ToString() << "\n";
      return ErrorResponse(500, kInternal, false);
    }
    Response m;
    m.content_type = kMetricsContentType;
    m.body = std::move(*text);
    return m;
  }
  bool api = t.path == "/api" || t.path.rfind("/api/", 0) == 0;
  std::string path = api ? t.path.substr(4) : t.path;
  if (path.empty()) path = "/";

  for (const RouteEntry& route : kRoutes) {
    std::string prefix = route.prefix;
    PageRequest pr{"", t.query};
    if (route.has_arg) {
      if (path.rfind(prefix, 0) != 0 || path.size() == prefix.size()) continue;
      pr.arg = path.substr(prefix.size());
    } else if (path != prefix) {
      continue;
    }
    Result<Page> page = route.fn(sources_, pr);
    if (!page.ok()) {
      int status = HttpStatusOf(page.status());
      if (status == 500) {
        std::cerr << "runlake serve: " << path << ": " << page.status().ToString() << "\n";
        return ErrorResponse(500, kInternal, api);
      }
      return ErrorResponse(status, page.status().message(), api);
    }
    Response r;
    if (api) {
      r.content_type = "application/json";
      // Lake strings may hold invalid UTF-8 (raw records): replaced, never a throw.
      r.body = page->data.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
      r.body = RenderPage(page->title, page->html, page->live ? kRefreshSeconds : 0);
    }
    return r;
  }
  return ErrorResponse(404, "no such page: " + path, api);
}

}  // namespace runlake::serve

#include "cli/cli_context.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <iostream>


namespace runlake::cli {

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kCorruption: return kExitBadInput;
    default: return kExitFailed;
  }
}

std::function<void()> CliContext::Handle(int& exit_code, std::function<Status()> handler) {
  return [this, &exit_code, handler = std::move(handler)] {
    Status st = Status::OK();
    if (needs != Needs::kNothing) st = Store().status();
    if (st.ok() && needs == Needs::kLakeAndState) st = State().status();
    if (st.ok()) st = handler();
    if (st.ok()) return;
    exit_code = Fail(st);
    if (signal_ != 0) exit_code = 128 + signal_;
  };
}

Result<std::string> ReadUserFile(const std::string& path, size_t max_bytes, const std::string& noun,
                                 const std::string& too_large) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::InvalidArgument(path + " is a directory, not a " + noun);
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::string text(max_bytes + 1, '\0');
  f.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(f.gcount()));
  if (text.size() > max_bytes) return Status::InvalidArgument(path + " is larger than " + too_large);
  return text;
}

int CliContext::Fail(const Status& st) const {
  std::cerr << "runlake: " << st.message() << "\n";
  // With --json a script reads stdout: it gets the error there too, as JSON.
  if (json) PrintJsonError(st.message(), StatusCodeName(st.code()), ExitCodeFor(st));
  return ExitCodeFor(st);
}

void PrintJsonError(const std::string& message, const std::string& code, int exit_code) {
  std::cout << nlohmann::json{{"error", {{"message", message}, {"code", code}, {"exit_code", exit_code}}}}.dump(2)
            << "\n";
}

void CliContext::PrintJson(const nlohmann::json& j) const { std::cout << j.dump(2) << "\n"; }

}  // namespace runlake::cli

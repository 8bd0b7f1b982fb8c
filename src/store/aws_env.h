#pragma once
// The environment the AWS settings come from, as a value: a snapshot of the process
// environment in production, a plain map in tests. Providers read only this, never
// getenv, so a test can build any environment without touching the process's.

#include <map>
#include <string>

namespace runlake::aws {

struct AwsEnv {
  std::map<std::string, std::string> vars;

  // The variable's value; "" when unset or empty (the SDKs treat both as unset).
  std::string Get(const std::string& name) const {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  }
  bool Has(const std::string& name) const { return !Get(name).empty(); }
  // "~/x" and "~" expanded with $HOME.
  std::string ExpandHome(const std::string& path) const;

  static AwsEnv FromProcess();
};

}  // namespace runlake::aws

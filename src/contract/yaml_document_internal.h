#pragma once
// Reading a contract's text into one YAML document, safely: a contract is operator input,
// and it must not be able to hang or exhaust the process that loads it.

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "runlake/status.h"

namespace runlake::contract_internal {

// The one document `text` holds. InvalidArgument "<origin>:<line>:<column>: <document>: …"
// for a syntax error, text over 1 MiB, an empty text or a second document. Never throws.
Result<YAML::Node> LoadOneDocument(std::string_view text, const std::string& origin);

}  // namespace runlake::contract_internal

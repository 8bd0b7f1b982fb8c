#pragma once
// A failed system call as a Status: "what: strerror". A full disk (ENOSPC, EDQUOT) is
// FailedPrecondition saying "disk full", not IOError: IOError is retried as transient, and
// retrying a full disk only fills the log until an operator frees space.

#include <string>

#include "runlake/status.h"

namespace runlake {

Status StatusFromErrno(const std::string& what, int err);

}  // namespace runlake

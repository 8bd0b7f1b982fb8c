// RUNLAKE_VERSION comes from CMake's project(); RUNLAKE_GIT_COMMIT from the header
// cmake/git_commit.cmake regenerates on every build.

#include "runlake/version.h"

#include "runlake/git_commit.h"

namespace runlake {

std::string RunlakeVersion() { return RUNLAKE_VERSION; }

std::string GitCommit() { return RUNLAKE_GIT_COMMIT; }

std::string CodeVersion() { return "runlake " + RunlakeVersion() + " (" + GitCommit() + ")"; }

}  // namespace runlake

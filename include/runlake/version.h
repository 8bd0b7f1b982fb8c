#pragma once
// What this build of runlake is: its release, the git commit it was built from, and the
// lake format it writes. CodeVersion() is the one string run manifests and gold
// manifests record as `code_version` and `runlake version` prints, so a manifest can be
// matched to the binary that wrote it. (DuckDB's version is the engine's to tell:
// EngineLibraryVersion() in src/engine/engine.h.)

#include <string>

namespace runlake {

// The format of the lake's objects this build writes, recorded in `_lake.json` by
// `runlake init`. A change to the layout or to a JSON contract that old readers would
// misread bumps it.
inline constexpr int kLakeFormatVersion = 1;

// "0.1.0": the project version from CMakeLists.txt.
std::string RunlakeVersion();

// The commit the binary was built from: 40 hex digits, "-dirty" appended when tracked
// files had uncommitted changes; "unknown" when built outside a git work tree.
std::string GitCommit();

// "runlake 0.1.0 (<commit>)": the code version manifests record.
std::string CodeVersion();

}  // namespace runlake

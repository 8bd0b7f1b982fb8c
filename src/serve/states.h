#pragma once
// The states a dashboard cell can show, each with a CSS class AND a glyph, so queued and
// succeeded never look alike and nothing is told by colour alone (the anchors' users'
// complaint). One table, used by every page and by the legend.

#include <string>

namespace runlake::serve {

struct StateLook {
  const char* name;   // "queued", "running", ... (also the JSON value)
  const char* glyph;  // one character
  const char* label;  // for the legend and tooltips
};

// name: queued, running, succeeded, gate_failed, failed, timed_out, aborted, canonical,
// missing (no bronze for the date), unprocessed (bronze but no run), corrupt (a committed
// run every query leaves out: its manifest does not parse or a file is missing or has the
// wrong size). An unknown name looks
// like "unknown" ("?").
const StateLook& LookOf(const std::string& name);

// The cell state of an execution status ("RUNNING", "FAILED", ...).
std::string StateOfExecution(const std::string& status);

// <span class="cell st-NAME" title="...">GLYPH</span> (text escaped).
std::string StateCell(const std::string& name, const std::string& title);

// The legend: every state with its glyph.
std::string StateLegend();

}  // namespace runlake::serve

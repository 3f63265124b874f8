// The fields of a host event as detection rules and people see them: one
// catalog of dotted paths (`process.exe`, `parent.name`, `socket.local_port`,
// `ancestors.name`, ...) with a getter each. The same catalog drives
//  - HostEventFieldExtractor, which fills the rule engine's EventFields
//    directly from the HostEvent (no JSON round trip: the collector evaluates
//    rules on tens of thousands of execs per second), and
//  - RenderHostEventJson, the JSON object printed by `warden events watch`,
//    stored as a finding's evidence, and documented in docs/ebpf.md.
// A test checks that a rule reading the JSON and one reading the extractor see
// the same values, so the two can never drift apart.
//
// The catalog is static and immutable; an extractor is per thread.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ebpf/host_event.h"
#include "ebpf/process_table.h"
#include "rules/event_fields.h"

namespace warden {

// An event with what the process table knows about its process.
struct EventView {
  const HostEvent* event = nullptr;
  const ProcessRecord* process = nullptr;       // may be null
  std::vector<const ProcessRecord*> ancestors;  // parent first; may be empty
  int64_t previous_uid = -1;                    // setid: ids before the call (-1 unknown)
  int64_t previous_euid = -1;
  std::string_view hostname;
  // From HostContextResolver (empty when unknown or not resolved).
  std::string_view user;          // name of event->uid
  std::string_view cgroup;        // cgroup v2 path of event->cgroup_id
  std::string_view container_id;  // found in the cgroup path

  const ProcessRecord* parent() const { return ancestors.empty() ? nullptr : ancestors.front(); }
};

// Builds the view of `event` from `table` (after table.Apply(event)).
EventView MakeEventView(const HostEvent& event, const ProcessTable& table,
                        std::string_view hostname, int64_t previous_uid = -1,
                        int64_t previous_euid = -1);

// Receives the values of one field.
class FieldSink {
 public:
  virtual ~FieldSink() = default;
  // A value that lives as long as the event (its strings, the process table).
  virtual void Text(std::string_view value) = 0;
  // A value computed for this call (a formatted time, a joined command line).
  virtual void OwnedText(std::string value) = 0;
  virtual void Number(int64_t value) = 0;
  virtual void Bool(bool value) = 0;
};

using FieldGetter = void (*)(const EventView&, FieldSink&);

struct HostEventField {
  std::string_view path;
  FieldGetter get;
  bool repeated = false;  // may yield several values (rendered as a JSON array)
};

// Every field, in the order the JSON renders them.
const std::vector<HostEventField>& HostEventFieldCatalog();
// The catalog entry of a dotted path, or null.
const HostEventField* FindHostEventField(std::string_view path);

// Fills EventFields for the paths a compiled rule set uses. Paths that are
// not in the catalog stay missing (a rule on them never matches a value).
class HostEventFieldExtractor {
 public:
  explicit HostEventFieldExtractor(const FieldRegistry& registry);
  void Extract(const EventView& view, EventFields* out);
  // Registry paths that are not host event fields (for lint messages).
  const std::vector<std::string>& unknown_paths() const { return unknown_paths_; }

 private:
  size_t field_count_ = 0;
  std::vector<std::pair<FieldId, FieldGetter>> fields_;
  std::vector<std::string> unknown_paths_;
  std::deque<std::string> scratch_;  // number texts; stable addresses until the next Extract
};

// The event as one JSON object (no trailing newline), appended to `out`.
void RenderHostEventJson(const EventView& view, std::string* out);

// "2026-11-23T01:17:24.123Z" from epoch nanoseconds.
std::string FormatRfc3339Millis(int64_t epoch_ns);

}  // namespace warden

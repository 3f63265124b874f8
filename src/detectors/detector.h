// A Detector turns what it sees on a host into an Observation: the findings
// that become problems (problems/problem_lifecycle.h). Each detector is one
// plug-in with an id ("HOST-OPEN-PORTS"), its own settings type read from
// its own `settings:` node (unknown keys are errors naming the exact key),
// defaults (enabled, risk level, schedule), and Run for scheduled detectors.
// Continuous ones (HOST-RUNTIME) run as the agent's event sources instead and
// only declare their settings here.
// Detectors are found by id in the registry (detector_registry.h); adding
// one is a new file and one registration. This file says nothing about jobs,
// threads or delivery: the agent schedules runs, keeps problems and routes
// records.
// A Detector is immutable and shared by every thread; Run may be called from
// several threads with their own contexts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"
#include "core/risk_level.h"
#include "core/status.h"
#include "core/yaml_reader.h"
#include "detectors/listening_socket.h"
#include "detectors/schedule_spec.h"
#include "problems/problem.h"
#include "sql/sql_engine.h"

namespace warden {

// The settings of one detector (OpenPortsSettings, VulnSettings, ...).
class DetectorSettings {
 public:
  virtual ~DetectorSettings() = default;
};

// One detector as a recipe configures it.
struct DetectorConfig {
  std::string id;
  bool enabled = true;
  RiskLevel risk_level = RiskLevel::kMedium;
  ScheduleSpec schedule;  // scheduled detectors only
  bool continuous = false;
  std::shared_ptr<const DetectorSettings> settings;

  // The detector's settings, or null when they are of another type.
  template <typename T>
  const T* SettingsAs() const {
    return dynamic_cast<const T*>(settings.get());
  }
};

// What a run may use. The engine is made on first use (a detector that does
// not query pays nothing for it).
struct DetectorContext {
  HostFs fs{"/"};
  std::function<Result<std::shared_ptr<SqlEngine>>()> engine;
  std::chrono::milliseconds query_timeout{60000};
  std::atomic<bool>* interrupt = nullptr;  // set when the run should stop
  std::string host;                        // the host identifier problems carry
  int64_t now = 0;                         // epoch seconds
};

struct DetectorRun {
  bool skipped = false;  // nothing to look at (no package database, ...)
  std::string skip_reason;
  Observation observation;
  std::string summary;  // what was looked at: "12 listening sockets", "12 CVEs in 5 packages"
  // Every listener the run looked at (HOST-OPEN-PORTS; empty otherwise): the
  // agent sends them to the server as the host's port inventory, so the
  // server's ports view shows allowed listeners too, not only problems.
  std::vector<ListeningSocket> listeners;
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string_view id() const = 0;
  // Enabled, risk level, schedule, continuous and default settings.
  virtual DetectorConfig DefaultConfig() const = 0;
  // The `settings:` node (never null) under `key` ("recipe.rules.ID.settings"),
  // starting from the defaults; relative paths resolve against the reader's
  // base directory.
  virtual Result<std::shared_ptr<const DetectorSettings>> ParseSettings(
      const YamlReader& reader, const YAML::Node& node, const std::string& key) const = 0;
  // One run of a scheduled detector; continuous ones say Unavailable.
  virtual Result<DetectorRun> Run(const DetectorConfig& config, DetectorContext& context) const;
  // How long a run may take before it counts as stuck; nullopt = the
  // agent's query timeout.
  virtual std::optional<int64_t> RunBudgetMs() const { return std::nullopt; }
  // The job's result line: the run's summary with the lifecycle events it
  // caused (`events`: "2 found, 1 opened"; `any_events` when there were some).
  virtual std::string Describe(const DetectorRun& run, const std::string& events,
                               bool any_events) const;
};

}  // namespace warden

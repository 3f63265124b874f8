// The sink types Warden knows, by name, and how a `sinks:` entry of a YAML
// file becomes a SinkConfig and then a Sink. Each type lives in its own file
// (file_sink.cc, syslog_sink.cc, ...) with its own settings type, and exposes
// one SinkType; adding a type is one new file and one line in
// sink_registry.cc. Common keys (name, type, enabled, records, format, and
// queue for network sinks) are read here; the type reads only its own keys.
// Errors are "file:line:col: sinks[1].transport: reason", with unknown keys
// named exactly ("did you mean ...").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/yaml_reader.h"
#include "delivery/http_poster.h"
#include "delivery/sink.h"

namespace warden {

// What a type's parser may need beyond its node.
struct SinkParseContext {
  const YamlReader& reader;
  std::string state_dir;  // relative file paths resolve against it
  bool enabled = true;    // a disabled sink may leave secrets unset
};

// What a sink may need when it is built.
struct SinkContext {
  std::string host_identifier;
  // For HTTP sinks; null = libcurl. Tests pass fakes.
  std::function<std::unique_ptr<HttpPoster>()> http_poster;
  // HTTP sinks make one attempt per Deliver when this is empty (the durable
  // queue retries later); a sink used without a queue (the notifier) retries
  // in Deliver with this policy.
  std::optional<RetryPolicy> retry;
  Sleeper sleep = SleepFor;
  // Where a sink says what it did on its own (a record set aside); the
  // router fills it with its log when unset. May be empty.
  std::function<void(const std::string&)> log;

  std::unique_ptr<HttpPoster> MakeHttpPoster() const {
    return http_poster ? http_poster() : MakeCurlHttpPoster();
  }
};

struct SinkType {
  std::string_view name;
  bool queued = false;
  std::vector<std::string> keys;      // the type's own YAML keys
  std::vector<RecordFormat> formats;  // the formats it can write
  std::function<Result<std::shared_ptr<const SinkSettings>>(
      const YAML::Node& node, const std::string& key, const SinkParseContext& context)>
      parse;
  std::function<Result<std::unique_ptr<Sink>>(const SinkConfig& config, const SinkContext& context)>
      make;
};

// Every registered type, in the order they are listed for people.
const std::vector<const SinkType*>& SinkTypes();
const SinkType* FindSinkType(std::string_view name);

// One `sinks:` entry. `key` is its path ("sinks[1]").
Result<SinkConfig> ParseSinkConfig(const YamlReader& reader, const YAML::Node& node,
                                   const std::string& key, const std::string& state_dir);
Status ParseQueueConfig(const YamlReader& reader, const YAML::Node& node, const std::string& key,
                        QueueConfig* queue);

Result<std::unique_ptr<Sink>> MakeSink(const SinkConfig& config, const SinkContext& context);

}  // namespace warden

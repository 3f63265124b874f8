// OsqueryProtocolClient speaks osquery's TLS remote API the way osqueryd 5.x
// does, so the server is tested against osquery's wire behaviour without an
// osquery binary. What it reproduces, from osquery's source (osquery/osquery):
//
//   requests    every call is an HTTPS POST with Content-Type and Accept
//               application/json and User-Agent osquery/<version>
//               (osquery/remote/transports/tls.cpp); the body is compact
//               JSON (rapidjson's Writer) with members in the order osquery
//               leaves them: TLSRequestHelper::go (osquery/remote/utility.h)
//               adds `node_key` with JSON::add, which removes an existing
//               member first, and rapidjson's RemoveMember moves the last
//               member into the hole, so a log body comes out as
//               {"data", "log_type", "node_key"} and a distributed read as
//               {"node_key"} once `_verb` is dropped (ObjectMembers below)
//   answers     the HTTP status is ignored; an empty body is a success
//               (remote/serializers/json.cpp); a body that is not JSON, or
//               has `node_invalid: true` (the node key is then forgotten)
//               or an `error` member, is a failure
//   enroll      {enroll_secret, host_identifier, platform_type "9",
//               host_details} (plugins/remote/enroll/tls_enroll.cpp); the
//               node key is `node_key` or `id`; up to tls_enroll_max_attempts
//               (12) tries, waiting min(n², tls_enroll_max_interval) s
//   config,     go(..., attempts = 3) waits i² s after failed try i
//   distributed (plugins/config/tls_config.cpp, plugins/distributed/
//               tls_distributed.cpp); a read's `accelerate` counts only as
//               a JSON integer (distributed.cpp, acceptWork); a write sends
//               {queries, statuses, messages, stats} with every value a
//               string (serializeResults)
//   logger      the buffered logger (plugins/logger/buffered.cpp,
//               tls_logger.cpp) keeps result and status lines apart, sends
//               at most logger_tls_max_lines of one kind per request, drops
//               them only after a success and otherwise keeps them, backing
//               off period × n² (capped by logger_tls_backoff_max)
//   node key    fetched lazily: a request without one enrols first
//
// Sleeping is a callback, so tests see osquery's backoff schedule without
// waiting it out. Test code only; one client per simulated agent, not
// thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/finding.h"  // Json
#include "server/http_test_client.h"

namespace warden::testing {

// A JSON object's members in order, with osquery's JSON::add / rapidjson
// RemoveMember semantics (remove swaps the last member into the hole).
class ObjectMembers {
 public:
  void Add(const std::string& key, Json value) {
    Remove(key);
    members_.emplace_back(key, std::move(value));
  }
  void Remove(const std::string& key) {
    for (size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].first != key) continue;
      if (i + 1 != members_.size()) members_[i] = std::move(members_.back());
      members_.pop_back();
      return;
    }
  }
  // Compact, like rapidjson's Writer.
  std::string Serialize() const {
    std::string out = "{";
    for (size_t i = 0; i < members_.size(); ++i) {
      if (i) out += ',';
      out += Json(members_[i].first).dump() + ':' +
             members_[i].second.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    return out + "}";
  }

 private:
  std::vector<std::pair<std::string, Json>> members_;
};

struct OsqueryIdentity {
  std::string host_identifier = "osquery-host";
  std::string uuid = "4C4C4544-0042-3010-8052-B4C04F4E3132";
  std::string instance_id = "5f3b4c0e-6d1a-4c7e-9a1b-2f6e8d9c0a11";
  std::string hostname = "osquery-host";
  std::string version = "5.13.1";
};

struct OsqueryCallResult {
  bool ok = false;
  std::string error;  // why not (osquery's message)
  Json answer;        // the parsed body ({} for an empty one)
  long http_status = 0;
  std::string request_body;  // exactly what was sent
};

class OsqueryProtocolClient {
 public:
  struct Options {
    std::string base_url;  // https://127.0.0.1:port (--tls_hostname)
    std::string ca_file;   // --tls_server_certs
    std::string enroll_secret;
    OsqueryIdentity identity;
    // Fleet's (and Warden's) endpoint flags.
    std::string enroll_endpoint = "/api/v1/osquery/enroll";
    std::string config_endpoint = "/api/v1/osquery/config";
    std::string logger_endpoint = "/api/v1/osquery/log";
    std::string read_endpoint = "/api/v1/osquery/distributed/read";
    std::string write_endpoint = "/api/v1/osquery/distributed/write";
    uint64_t enroll_max_attempts = 12;
    uint64_t enroll_max_interval = 600;
    uint64_t config_max_attempts = 3;
    uint64_t distributed_max_attempts = 3;
    uint64_t logger_max_lines = 1024;
    uint64_t logger_max_linesize = 1024 * 1024;
    uint64_t logger_period = 4;
    uint64_t logger_backoff_max = 3600;
    // How osquery waits between tries; recorded, never slept by default.
    std::function<void(std::chrono::seconds)> sleep;
  };

  explicit OsqueryProtocolClient(Options options) : options_(std::move(options)) {
    if (!options_.sleep) options_.sleep = [](std::chrono::seconds) {};
  }

  const std::string& node_key() const { return node_key_; }
  void set_node_key(std::string key) { node_key_ = std::move(key); }
  // Every wait osquery would have made, in order.
  const std::vector<std::chrono::seconds>& waits() const { return waits_; }
  int enrolments() const { return enrolments_; }
  const std::vector<OsqueryCallResult>& calls() const { return calls_; }

  // TLSEnrollPlugin::enroll: tries until a node key or the attempts run out.
  bool Enroll() {
    uint64_t attempt = 1, step = 1;
    while (options_.enroll_max_attempts == 0 || attempt <= options_.enroll_max_attempts) {
      if (RequestKey()) return true;
      if (attempt == options_.enroll_max_attempts) break;
      ++attempt;
      const uint64_t interval = std::min(step * step, options_.enroll_max_interval);
      if (interval < options_.enroll_max_interval) ++step;
      Wait(std::chrono::seconds(interval));
    }
    return false;
  }

  // The body osquery's enroll plugin posts.
  std::string EnrollBody() const {
    ObjectMembers params;
    params.Add("enroll_secret", options_.enroll_secret);
    params.Add("host_identifier", options_.identity.host_identifier);
    params.Add("platform_type", "9");
    const OsqueryIdentity& id = options_.identity;
    Json details = Json::object();
    details["os_version"] = {{"name", "Debian GNU/Linux"},
                             {"version", "12 (bookworm)"},
                             {"major", "12"},
                             {"minor", "0"},
                             {"patch", "0"},
                             {"build", ""},
                             {"platform", "debian"},
                             {"platform_like", ""},
                             {"codename", "bookworm"},
                             {"arch", "x86_64"}};
    details["osquery_info"] = {{"pid", "4242"},
                               {"uuid", id.uuid},
                               {"instance_id", id.instance_id},
                               {"version", id.version},
                               {"config_hash", ""},
                               {"config_valid", "0"},
                               {"extensions", "active"},
                               {"build_platform", "linux"},
                               {"build_distro", "centos7"},
                               {"start_time", "1765000000"},
                               {"watcher", "4241"},
                               {"platform_mask", "9"}};
    details["system_info"] = {{"hostname", id.hostname},
                              {"uuid", id.uuid},
                              {"cpu_type", "x86_64"},
                              {"cpu_brand", "Test CPU"},
                              {"physical_memory", "8589934592"},
                              {"hardware_serial", "TEST-1"},
                              {"computer_name", id.hostname}};
    details["platform_info"] = {{"vendor", "Test"}, {"version", "1.0"}};
    params.Add("host_details", details);
    return params.Serialize();
  }

  // TLSConfigPlugin::genConfig: the config JSON, or nullopt.
  std::optional<Json> FetchConfig() {
    OsqueryCallResult r =
        Go(options_.config_endpoint, ObjectMembers(), options_.config_max_attempts);
    if (!r.ok) return std::nullopt;
    return r.answer;
  }

  // Distributed::pullUpdates + acceptWork: the queries to run (name -> SQL).
  // `accelerate` is set only when the answer holds a JSON integer.
  std::optional<std::vector<std::pair<std::string, std::string>>> ReadQueries(
      std::optional<int64_t>* accelerate = nullptr) {
    ObjectMembers params;
    params.Add("_verb", "POST");
    OsqueryCallResult r = Go(options_.read_endpoint, params, options_.distributed_max_attempts);
    if (!r.ok) return std::nullopt;
    std::vector<std::pair<std::string, std::string>> queries;
    if (r.answer.contains("queries") && r.answer["queries"].is_object()) {
      for (const auto& [name, sql] : r.answer["queries"].items()) {
        if (!sql.is_string()) return std::nullopt;  // "Distributed query is not a string"
        queries.emplace_back(name, sql.get<std::string>());
      }
    }
    if (accelerate) {
      accelerate->reset();
      auto it = r.answer.find("accelerate");
      if (it != r.answer.end() && it->is_number_integer()) *accelerate = it->get<int64_t>();
    }
    return queries;
  }

  // One distributed query's outcome as osquery serialises it.
  struct QueryOutcome {
    std::string name;
    std::vector<std::vector<std::pair<std::string, std::string>>> rows;  // column -> text
    int status = 0;
    std::string message;
    uint64_t wall_time_ms = 3;
  };

  // Distributed::serializeResults + TLSDistributedPlugin::writeResults.
  OsqueryCallResult WriteResults(const std::vector<QueryOutcome>& outcomes) {
    Json queries = Json::object(), statuses = Json::object(), messages = Json::object(),
         stats = Json::object();
    for (const QueryOutcome& o : outcomes) {
      Json rows = Json::array();
      for (const auto& row : o.rows) {
        Json r = Json::object();
        for (const auto& [column, value] : row) r[column] = value;
        rows.push_back(std::move(r));
      }
      queries[o.name] = std::move(rows);
      statuses[o.name] = o.status;
      messages[o.name] = o.message;
      stats[o.name] = {
          {"wall_time_ms", o.wall_time_ms}, {"user_time", 1}, {"system_time", 0}, {"memory", 0}};
    }
    ObjectMembers params;
    params.Add("queries", std::move(queries));
    params.Add("statuses", std::move(statuses));
    params.Add("messages", std::move(messages));
    params.Add("stats", std::move(stats));
    return Go(options_.write_endpoint, params, options_.distributed_max_attempts);
  }

  // The buffered logger's store: lines wait here until a send succeeds.
  void LogResult(const Json& line) { results_.push_back(line.dump()); }
  void LogStatus(const Json& line) { statuses_.push_back(line.dump()); }
  size_t buffered_results() const { return results_.size(); }
  size_t buffered_statuses() const { return statuses_.size(); }

  // One BufferedLogForwarder::check pass: results, then statuses, each at
  // most logger_max_lines, each kept unless its request succeeded. True when
  // every send that was due succeeded.
  bool FlushLogs() {
    bool ok = true;
    ok = Flush(results_, "result", result_failures_) && ok;
    ok = Flush(statuses_, "status", status_failures_) && ok;
    return ok;
  }

  // Sends one raw body to `endpoint` as osquery would (headers, POST) and
  // judges the answer osquery's way.
  OsqueryCallResult Post(const std::string& endpoint, const std::string& body) {
    ClientRequest request;
    request.method = "POST";
    request.url = options_.base_url + endpoint;
    request.ca_file = options_.ca_file;
    request.body = body;
    request.timeout_ms = 16'000;  // osquery's client timeout
    request.headers = {"Content-Type: application/json", "Accept: application/json",
                       "User-Agent: osquery/" + options_.identity.version, "Expect:"};
    ClientResponse response = client_.Send(request);
    OsqueryCallResult r;
    r.request_body = body;
    r.http_status = response.status;
    if (response.code != CURLE_OK) {
      r.error = "Request error: " + response.error;
    } else if (response.body.empty()) {
      r.ok = true;  // an empty body counts as success
      r.answer = Json::object();
    } else {
      r.answer = Json::parse(response.body, nullptr, false);
      if (r.answer.is_discarded()) {
        r.error = "Cannot parse JSON";
      } else if (r.answer.is_object() && r.answer.value("node_invalid", false) == true) {
        node_key_.clear();
        r.error = "Request failed: Invalid node key";
      } else if (r.answer.is_object() && r.answer.contains("error")) {
        r.error = "Request failed: " + (r.answer["error"].is_string()
                                            ? r.answer["error"].get<std::string>()
                                            : std::string("<unknown>"));
      } else {
        r.ok = true;
      }
    }
    calls_.push_back(r);
    return r;
  }

 private:
  bool RequestKey() {
    OsqueryCallResult r = Post(options_.enroll_endpoint, EnrollBody());
    ++enrolments_;
    if (!r.ok || !r.answer.is_object()) return false;
    auto it = r.answer.find("node_key");
    if (it == r.answer.end()) it = r.answer.find("id");
    node_key_ = it != r.answer.end() && it->is_string() ? it->get<std::string>() : "";
    return !node_key_.empty();
  }

  // getNodeKey("tls"): enrols when there is no key yet.
  std::string NodeKey() {
    if (node_key_.empty()) Enroll();
    return node_key_;
  }

  // TLSRequestHelper::go with attempts: i² s between failed tries.
  OsqueryCallResult Go(const std::string& endpoint, ObjectMembers params, uint64_t attempts) {
    OsqueryCallResult r;
    for (uint64_t i = 1; i <= attempts; ++i) {
      ObjectMembers body = params;
      body.Add("node_key", NodeKey());
      body.Remove("_verb");
      r = Post(endpoint, body.Serialize());
      if (r.ok || i == attempts) break;
      Wait(std::chrono::seconds(i * i));
    }
    return r;
  }

  bool Flush(std::deque<std::string>& buffer, const std::string& type, uint64_t& failures) {
    if (buffer.empty()) return true;
    const size_t count = std::min<size_t>(buffer.size(), options_.logger_max_lines);
    ObjectMembers params;
    params.Add("node_key", NodeKey());
    params.Add("log_type", type);
    Json data = Json::array();
    for (size_t i = 0; i < count; ++i) {
      // Lines above logger_tls_max_linesize and lines that are not JSON are
      // left out of the request (and dropped with the batch on success).
      if (buffer[i].size() > options_.logger_max_linesize) continue;
      Json line = Json::parse(buffer[i], nullptr, false);
      if (!line.is_discarded()) data.push_back(std::move(line));
    }
    params.Add("data", std::move(data));
    // TLSRequestHelper::go without retries (the forwarder backs off instead).
    params.Add("node_key", NodeKey());
    OsqueryCallResult r = Post(options_.logger_endpoint, params.Serialize());
    if (!r.ok) {
      ++failures;
      const uint64_t backoff =
          std::min(options_.logger_period * failures * failures, options_.logger_backoff_max);
      Wait(std::chrono::seconds(backoff));
      return false;
    }
    failures = 0;
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(count));
    return true;
  }

  void Wait(std::chrono::seconds s) {
    waits_.push_back(s);
    options_.sleep(s);
  }

  Options options_;
  CurlClient client_;
  std::string node_key_;
  int enrolments_ = 0;
  std::vector<std::chrono::seconds> waits_;
  std::vector<OsqueryCallResult> calls_;
  std::deque<std::string> results_, statuses_;
  uint64_t result_failures_ = 0, status_failures_ = 0;
};

}  // namespace warden::testing

#include "agent/server_link.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <sstream>

#include "agent/agent.h"
#include "agent/server_enrolment.h"
#include "core/strings.h"
#include "core/time_format.h"
#include "core/version.h"
#include "problems/problem_rendering.h"
#include "problems/sqlite_problem_repository.h"

namespace warden {

namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

CommandOutcome Rejected(std::string why) {
  CommandOutcome o;
  o.status = "rejected";
  o.error = std::move(why);
  return o;
}

CommandOutcome Failed(std::string why) {
  CommandOutcome o;
  o.status = "failed";
  o.error = std::move(why);
  return o;
}

int ClampedInt(const Json& j, const char* key, int low, int high, int fallback) {
  if (!j.contains(key) || !j[key].is_number_integer()) return fallback;
  return static_cast<int>(std::clamp<int64_t>(j[key].get<int64_t>(), low, high));
}

// RFC 3986 percent-encoding of a query value.
std::string QueryEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The `settings` of a server config, each clamped to what this link accepts.
ServerSettings SettingsOf(const Json& config) {
  ServerSettings s;
  const Json settings = config.contains("settings") && config["settings"].is_object()
                            ? config["settings"]
                            : Json::object();
  s.poll_wait_seconds = ClampedInt(settings, "poll_wait_seconds", 1, 10, s.poll_wait_seconds);
  s.config_refresh_seconds =
      ClampedInt(settings, "config_refresh_seconds", 5, 86400, s.config_refresh_seconds);
  s.status_interval_seconds =
      ClampedInt(settings, "status_interval_seconds", 1, 86400, s.status_interval_seconds);
  s.max_records_per_second =
      ClampedInt(settings, "max_records_per_second", 1, 10000000, s.max_records_per_second);
  s.max_batch_records = ClampedInt(settings, "max_batch_records", 1, 10000, s.max_batch_records);
  return s;
}

// The part of a config the agent applies through a reload: the recipe's
// rules and name and the queries; null when they set nothing (no rules, no
// queries), so a server without recipes costs no reload.
Json AppliedPart(const Json& config) {
  if (!config.is_object()) return Json();
  const Json recipe = config.value("recipe", Json::object());
  const Json rules = recipe.is_object() ? recipe.value("rules", Json::object()) : Json();
  const Json queries = config.value("queries", Json::array());
  if ((rules.is_object() && rules.empty()) && (queries.is_array() && queries.empty()))
    return Json();
  return Json{{"recipe", recipe}, {"queries", queries}};
}

}  // namespace

std::string KeptServerConfigPath(const std::string& state_dir) {
  return state_dir + "/server_config.json";
}

std::optional<Json> ReadKeptServerConfig(const std::string& state_dir) {
  std::ifstream in(KeptServerConfigPath(state_dir), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  Json config = Json::parse(text.str(), nullptr, false);
  if (!config.is_object()) return std::nullopt;
  return config;
}

struct ServerLink::RunsInFlight {
  struct Command {
    size_t waiting = 0;  // runs not ended yet
    Json runs = Json::array();
    bool failed = false;
    std::string errors;
  };
  std::mutex mu;
  std::map<std::string, Command> commands;         // under mu
  std::map<std::string, CommandOutcome> finished;  // under mu

  // With mu held: once command `id` waits for no run, its outcome is ready.
  void FinishIfDone(const std::string& id) {
    auto it = commands.find(id);
    if (it == commands.end() || it->second.waiting > 0) return;
    CommandOutcome o;
    o.output = {{"runs", std::move(it->second.runs)}};
    if (it->second.failed) {
      o.status = "failed";
      o.error = std::move(it->second.errors);
    }
    finished[id] = std::move(o);
    commands.erase(it);
  }

  // With mu held: a run of command `id` could not start or ended badly.
  void NoteFailure(const std::string& id, const std::string& why) {
    auto it = commands.find(id);
    if (it == commands.end()) return;
    it->second.failed = true;
    it->second.errors += (it->second.errors.empty() ? "" : "; ") + why;
  }
};

ServerLink::ServerLink(ServerLinkOptions options)
    : options_(std::move(options)), in_flight_(std::make_shared<RunsInFlight>()) {
  if (!options_.log) options_.log = [](const std::string&) {};
  poster_ = options_.http_poster ? options_.http_poster() : MakeCurlHttpPoster();
  auto key = ReadNodeKey(options_.endpoint.node_key_file);
  if (key.ok()) node_key_ = *key;
  // The config kept from an earlier run (already applied by the agent's
  // load): pulled again only when the server's has changed since.
  if (std::optional<Json> kept = ReadKeptServerConfig(options_.state_dir)) {
    etag_ = kept->value("etag", std::string());
    settings_ = SettingsOf(*kept);
    last_config_ = std::move(*kept);
  }
}

ServerLink::~ServerLink() { Stop(); }

void ServerLink::Start() {
  if (thread_.joinable()) return;
  stopping_.store(false);
  thread_ = std::thread([this] { Loop(); });
}

void ServerLink::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ServerSettings ServerLink::settings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return settings_;
}

std::string ServerLink::config_etag() const {
  std::lock_guard<std::mutex> lock(mu_);
  return etag_;
}

Json ServerLink::StatusJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Json{{"url", options_.endpoint.url},
              {"config_etag", etag_.empty() ? Json(nullptr) : Json(etag_)},
              {"config_refused", refused_.empty() ? Json(nullptr) : Json(refused_)},
              {"last_contact",
               last_contact_ms_ > 0 ? Json(FormatRfc3339(last_contact_ms_ / 1000)) : Json(nullptr)},
              {"last_error", last_error_.empty() ? Json(nullptr) : Json(last_error_)},
              {"commands", commands_run_}};
}

void ServerLink::WaitMs(int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
}

Result<HttpResponse> ServerLink::Send(HttpRequest request) {
  request.cancel = &stopping_;
  auto response = poster_->Post(request);
  if (!response.ok()) return response.status().WithContext("server " + UrlHost(request.url));
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_contact_ms_ = NowEpochMillis();
  }
  if (response->status == 401) {
    ServerError e = ParseServerError(*response);
    return Status(StatusCode::kPermissionDenied,
                  "the server refused this host's node key (" + DescribeServerError(e) +
                      (e.code == "E_NODE_REVOKED" ? "): the host was revoked" : ")") +
                      "; enrol it again with warden agent enroll");
  }
  return response;
}

Status ServerLink::RefreshConfigOnce() {
  HttpRequest req = ServerRequest(options_.endpoint, "GET", "/api/v1/agent/config", node_key_);
  const std::string etag = config_etag();
  if (!etag.empty()) req.headers.emplace_back("If-None-Match", etag);
  ASSIGN_OR_RETURN(HttpResponse r, Send(std::move(req)));
  if (r.status == 304) return Status::Ok();
  if (r.status != 200)
    return Unavailable("config pull: " + DescribeServerError(ParseServerError(r)));
  Json config = Json::parse(r.body, nullptr, false);
  if (!config.is_object()) return ParseError("config pull: the answer is not a JSON object");
  std::string new_etag = config.value("etag", std::string());
  if (new_etag.empty() && r.headers.count("etag")) new_etag = r.headers["etag"];
  config["etag"] = new_etag;
  const ServerSettings s = SettingsOf(config);
  Json previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous = last_config_;
  }
  const bool applied_changed = AppliedPart(config) != AppliedPart(previous);
  std::string changes;
  if (applied_changed) {
    const Json old_recipe = previous.is_object() ? previous.value("recipe", Json()) : Json();
    const Json old_queries = previous.is_object() ? previous.value("queries", Json()) : Json();
    if (config.value("recipe", Json()) != old_recipe) changes += "recipe";
    if (config.value("queries", Json()) != old_queries)
      changes += std::string(changes.empty() ? "" : ", ") + "scheduled queries";
    Status checked = options_.check_config ? options_.check_config(config) : Status::Ok();
    if (!checked.ok()) {
      // Refused: the previous config stays; this etag is not pulled again.
      {
        std::lock_guard<std::mutex> lock(mu_);
        etag_ = new_etag;
        refused_ = checked.message();
      }
      options_.log("server config " + new_etag +
                   " refused, keeping the previous one: " + checked.message());
      return Status::Ok();
    }
    Status kept = WriteFileAtomically(KeptServerConfigPath(options_.state_dir), Dump(config), 0600);
    if (!kept.ok()) {
      options_.log("server config " + new_etag + " not applied: cannot keep it: " + kept.message());
      return kept;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto note = [&](const char* what, int before, int after) {
      if (before != after)
        changes += std::string(changes.empty() ? "" : ", ") + what + " " + std::to_string(before) +
                   " -> " + std::to_string(after);
    };
    note("poll_wait_seconds", settings_.poll_wait_seconds, s.poll_wait_seconds);
    note("config_refresh_seconds", settings_.config_refresh_seconds, s.config_refresh_seconds);
    note("status_interval_seconds", settings_.status_interval_seconds, s.status_interval_seconds);
    note("max_records_per_second", settings_.max_records_per_second, s.max_records_per_second);
    note("max_batch_records", settings_.max_batch_records, s.max_batch_records);
    settings_ = s;
    etag_ = new_etag;
    refused_.clear();
    last_config_ = std::move(config);
  }
  options_.log("server config " + (new_etag.empty() ? std::string("(no etag)") : new_etag) +
               (changes.empty() ? ": unchanged" : ": changed " + changes) +
               (applied_changed ? "; applying it" : ""));
  if (applied_changed && options_.request_reload) options_.request_reload();
  return Status::Ok();
}

std::map<std::string, CommandOutcome> ServerLink::TakeFinished() {
  std::lock_guard<std::mutex> lock(in_flight_->mu);
  std::map<std::string, CommandOutcome> out;
  std::swap(out, in_flight_->finished);
  return out;
}

size_t ServerLink::InFlight() const {
  std::lock_guard<std::mutex> lock(in_flight_->mu);
  return in_flight_->commands.size();
}

Status ServerLink::PostFinished() {
  for (auto& [id, outcome] : TakeFinished()) {
    options_.log("server command " + id + " (run_detector): " + outcome.status +
                 (outcome.error.empty() ? "" : ": " + outcome.error));
    if (done_.size() > 1000) done_.clear();
    done_[id] = outcome;
    unposted_[id] = std::move(outcome);
  }
  for (auto it = unposted_.begin(); it != unposted_.end();) {
    RETURN_IF_ERROR(PostResult(it->first, it->second));
    it = unposted_.erase(it);
  }
  return Status::Ok();
}

Status ServerLink::PollCommandsOnce(int wait_seconds) {
  wait_seconds = std::clamp(wait_seconds, 0, 10);
  RETURN_IF_ERROR(PostFinished());
  // Runs going on: come back soon to post their result once they end.
  if (InFlight() > 0) wait_seconds = std::min(wait_seconds, 1);
  // The config this agent runs: the server answers at once when the host's is another.
  std::string target = "/api/v1/agent/commands?wait=" + std::to_string(wait_seconds);
  if (const std::string etag = config_etag(); !etag.empty())
    target += "&config_etag=" + QueryEscape(etag);
  HttpRequest req = ServerRequest(options_.endpoint, "GET", target, node_key_);
  req.timeout = std::chrono::milliseconds(wait_seconds * 1000 + options_.endpoint.timeout_ms);
  ASSIGN_OR_RETURN(HttpResponse r, Send(std::move(req)));
  if (r.status != 200)
    return Unavailable("command poll: " + DescribeServerError(ParseServerError(r)));
  Json list = Json::parse(r.body, nullptr, false);
  if (!list.is_object() || !list.contains("commands") || !list["commands"].is_array())
    return ParseError("command poll: the answer has no commands list");
  // The host's effective config changed on the server: pull it now.
  if (auto etag = list.find("config_etag");
      etag != list.end() && etag->is_string() && *etag != config_etag()) {
    Status pulled = RefreshConfigOnce();
    if (!pulled.ok()) options_.log("server link: " + pulled.message());
  }
  for (const Json& command : list["commands"]) {
    if (!command.is_object() || !command.contains("id") || !command["id"].is_string()) {
      options_.log("server sent a command without an id; ignored");
      continue;
    }
    const std::string id = command["id"].get<std::string>();
    auto done = done_.find(id);
    CommandOutcome outcome;
    if (done != done_.end()) {
      outcome = done->second;
    } else {
      bool running;
      {
        std::lock_guard<std::mutex> lock(in_flight_->mu);
        running = in_flight_->commands.count(id) > 0 || in_flight_->finished.count(id) > 0;
      }
      if (running || unposted_.count(id) > 0) continue;  // delivered again while it runs
      std::optional<CommandOutcome> executed = Execute(command);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++commands_run_;
      }
      const std::string type = command.value("type", std::string("?"));
      if (!executed) {
        options_.log("server command " + id + " (" + type + "): started");
        continue;
      }
      outcome = std::move(*executed);
      options_.log("server command " + id + " (" + type + "): " + outcome.status +
                   (outcome.error.empty() ? "" : ": " + outcome.error));
      if (done_.size() > 1000) done_.clear();
      done_[id] = outcome;
    }
    RETURN_IF_ERROR(PostResult(id, outcome));
  }
  RETURN_IF_ERROR(PostFinished());
  if (reload_pending_) {
    reload_pending_ = false;
    options_.request_reload();
  }
  return Status::Ok();
}

Status ServerLink::PostResult(const std::string& command_id, const CommandOutcome& outcome) {
  HttpRequest req = ServerRequest(options_.endpoint, "POST",
                                  "/api/v1/agent/commands/" + command_id + "/result", node_key_);
  Json body = {
      {"status", outcome.status},
      {"error", outcome.error.empty() ? Json(nullptr) : Json(outcome.error.substr(0, 4096))},
      {"output", outcome.output.is_object() ? outcome.output : Json(nullptr)},
      {"finished_at_ms", NowEpochMillis()}};
  req.body = Dump(body);
  ASSIGN_OR_RETURN(HttpResponse r, Send(std::move(req)));
  // 409: already completed (an earlier answer arrived); 404: the command is gone.
  if ((r.status >= 200 && r.status < 300) || r.status == 409 || r.status == 404)
    return Status::Ok();
  return Unavailable("command " + command_id +
                     " result: " + DescribeServerError(ParseServerError(r)));
}

Status ServerLink::PostRows(const std::string& command_id, const BudgetedQueryResult& result) {
  constexpr size_t kMaxChunkRows = 1000;
  constexpr size_t kMaxChunkBytes = 1 << 20;
  const std::string path = "/api/v1/agent/commands/" + command_id + "/rows";
  size_t next = 0;
  int64_t seq = 0;
  std::minstd_rand rng(std::random_device{}());
  do {
    Json rows = Json::array();
    size_t bytes = 0;
    while (next < result.rows.size() && rows.size() < kMaxChunkRows) {
      const size_t size = Dump(result.rows[next]).size() + 1;
      if (!rows.empty() && bytes + size > kMaxChunkBytes) break;
      bytes += size;
      rows.push_back(result.rows[next++]);
    }
    const std::string body =
        Dump(Json{{"seq", seq}, {"columns", result.columns}, {"rows", std::move(rows)}});
    // A chunk that did not arrive is sent again (the server ignores one it
    // has): while the server is busy (503, after its Retry-After) or cannot
    // be reached, with growing jittered waits, so a fleet answering at once
    // queues on its side instead of giving up. The server ends it when it
    // no longer waits for this host (409); ten minutes bound the rest.
    Status sent = Unavailable("the agent is stopping");
    const int64_t give_up_ms = NowEpochMillis() + 600000;
    int64_t wait_ms = 250;
    while (!stopping_.load()) {
      HttpRequest req = ServerRequest(options_.endpoint, "POST", path, node_key_);
      req.body = body;
      auto r = Send(std::move(req));
      int64_t not_before_ms = 0;
      if (!r.ok()) {
        sent = r.status();
        if (sent.code() == StatusCode::kPermissionDenied) return sent;
      } else if (r->status == 200) {
        sent = Status::Ok();
        break;
      } else {
        sent = Unavailable("rows chunk " + std::to_string(seq) + ": " +
                           DescribeServerError(ParseServerError(*r)));
        if (r->status != 503 && r->status >= 400 && r->status < 500) return sent;
        if (r->retry_after_seconds) not_before_ms = *r->retry_after_seconds * 1000LL;
      }
      const int64_t pause =
          std::max(not_before_ms, wait_ms / 2 + static_cast<int64_t>(rng() % (wait_ms / 2 + 1)));
      if (NowEpochMillis() + pause >= give_up_ms) break;
      WaitMs(pause);
      wait_ms = std::min<int64_t>(wait_ms * 2, 8000);
    }
    RETURN_IF_ERROR(sent);
    ++seq;
  } while (next < result.rows.size());
  return Status::Ok();
}

Result<ProblemRepository*> ServerLink::Problems() {
  if (!problems_) {
    ASSIGN_OR_RETURN(problems_,
                     SqliteProblemRepository::Open(StateFilePath(options_.state_dir), false));
  }
  return problems_.get();
}

std::optional<CommandOutcome> ServerLink::Execute(const Json& command) {
  const std::string type = command.value("type", std::string());
  const Json args =
      command.contains("args") && command["args"].is_object() ? command["args"] : Json::object();
  auto route = [this](const std::vector<ProblemEvent>& events) {
    if (!options_.router) return Status::Ok();
    std::vector<Record> records;
    for (const auto& e : events) records.push_back(ProblemEventRecord(e));
    return options_.router->Route(records);
  };
  if (type == "dismiss" || type == "undismiss") {
    if (!args.contains("problem_id") || !args["problem_id"].is_string() ||
        args["problem_id"].get<std::string>().empty())
      return Rejected("args.problem_id: expected the problem's id");
    const std::string id = args["problem_id"].get<std::string>();
    std::string comment;
    if (args.contains("comment") && args["comment"].is_string())
      comment = args["comment"].get<std::string>();
    auto problems = Problems();
    if (!problems.ok()) return Failed(problems.status().message());
    const int64_t now = NowEpochSeconds();
    Result<ProblemEvent> event = Internal("unreachable");
    if (type == "dismiss") {
      if (comment.empty()) return Rejected("args.comment: a dismissal needs a comment");
      int64_t until = 0;
      if (args.contains("until_ms") && !args["until_ms"].is_null()) {
        if (!args["until_ms"].is_number_integer())
          return Rejected("args.until_ms: expected epoch milliseconds or null");
        until = args["until_ms"].get<int64_t>() / 1000;
        if (until <= now) return Rejected("args.until_ms: must be in the future");
      }
      event = (*problems)->Dismiss(id, comment, until, now, route);
    } else {
      event = (*problems)->Undismiss(id, comment, now, route);
    }
    if (!event.ok()) return Failed(event.status().message());
    CommandOutcome o;
    o.output = {{"problem_id", event->problem.id},
                {"status", ProblemStatusName(event->problem.status)},
                {"revision", event->problem.revision}};
    return o;
  }
  if (type == "run_detector") {
    std::vector<std::string> ids;
    if (args.contains("rule_ids")) {
      if (!args["rule_ids"].is_array()) return Rejected("args.rule_ids: expected a list");
      for (const Json& id : args["rule_ids"]) {
        if (!id.is_string()) return Rejected("args.rule_ids: expected rule ids");
        ids.push_back(id.get<std::string>());
      }
    }
    if (ids.empty()) ids = options_.detector_ids;
    if (ids.empty()) return Failed("no detector is enabled on this host");
    if (!options_.run_now) return Failed("this agent cannot start jobs");
    const std::string command_id =
        command.contains("id") && command["id"].is_string() ? command["id"].get<std::string>() : "";
    std::shared_ptr<RunsInFlight> state = in_flight_;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      RunsInFlight::Command& c = state->commands[command_id];
      c = RunsInFlight::Command{};
      c.waiting = ids.size();
    }
    for (const std::string& rule : ids) {
      // The callback may run after this link is gone: it holds the state only.
      Status st = options_.run_now(rule, [state, command_id](const JobRunReport& r) {
        std::lock_guard<std::mutex> lock(state->mu);
        auto it = state->commands.find(command_id);
        if (it == state->commands.end()) return;
        it->second.runs.push_back(
            {{"rule_id", r.job},
             {"started_at_ms", r.started_ms},
             {"duration_ms", r.duration_ms},
             {"outcome", r.outcome},
             {"result", r.result},
             {"next_run_ms", r.next_run_ms > 0 ? Json(r.next_run_ms) : Json(nullptr)},
             {"runs", r.runs},
             {"failures", r.failures}});
        if (r.outcome != "ok" && r.outcome != "skipped")
          state->NoteFailure(command_id, r.job + " " + r.result);
        --it->second.waiting;
        state->FinishIfDone(command_id);
      });
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(state->mu);
        auto it = state->commands.find(command_id);
        if (it == state->commands.end()) continue;
        state->NoteFailure(command_id, st.message());
        --it->second.waiting;
        state->FinishIfDone(command_id);
      }
    }
    // Every rule refused at once (or every run already over): answer now.
    std::lock_guard<std::mutex> lock(state->mu);
    auto finished = state->finished.find(command_id);
    if (finished == state->finished.end()) return std::nullopt;
    CommandOutcome o = std::move(finished->second);
    state->finished.erase(finished);
    return o;
  }
  if (type == "live_query") {
    if (!args.contains("sql") || !args["sql"].is_string() || args["sql"].get<std::string>().empty())
      return Rejected("args.sql: expected the query's SQL");
    if (!options_.run_query) return Failed("this agent cannot run queries");
    const std::string command_id =
        command.contains("id") && command["id"].is_string() ? command["id"].get<std::string>() : "";
    auto result = options_.run_query(args["sql"].get<std::string>());
    if (!result.ok()) return Failed(result.status().message());
    Status sent = PostRows(command_id, *result);
    if (!sent.ok()) return Failed("the rows could not be sent: " + sent.message());
    CommandOutcome o;
    o.output = {{"rows", static_cast<int64_t>(result->rows.size())},
                {"duration_ms", result->wall_ms}};
    return o;
  }
  if (type == "reload_config") {
    if (!options_.request_reload) return Failed("this agent cannot reload");
    // Done once the result is posted: the reload stops this link, and a
    // result lost that way would bring the command back, reload after reload.
    reload_pending_ = true;
    return CommandOutcome{};
  }
  return Rejected("command type '" + type + "' is not supported by this agent (warden " +
                  std::string(kWardenVersion) + ")");
}

void ServerLink::Loop() {
  if (options_.on_start) options_.on_start();
  std::mt19937_64 rng(std::random_device{}());
  int64_t backoff = options_.backoff_initial_ms;
  int64_t next_config_ms = 0;
  std::string last_error, last_config_error;
  while (!stopping_.load()) {
    Status st;
    if (NowEpochMillis() >= next_config_ms) {
      // A failed config pull does not hold up commands; it is tried again
      // within a minute.
      Status config = RefreshConfigOnce();
      next_config_ms = NowEpochMillis() + (config.ok() ? settings().config_refresh_seconds * 1000LL
                                                       : std::min<int64_t>(backoff, 60000));
      if (!config.ok() && !StartsWith(config.message(), "config pull")) {
        st = config;  // revoked, or the server cannot be reached: back off
      } else if (!config.ok() && config.message() != last_config_error) {
        options_.log("server link: " + config.message());
      }
      last_config_error = config.ok() ? "" : config.message();
    }
    if (st.ok()) st = PollCommandsOnce(settings().poll_wait_seconds);
    if (stopping_.load()) break;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_error_ = st.ok() ? "" : st.message();
    }
    if (st.ok()) {
      if (!last_error.empty()) options_.log("server reachable again");
      last_error.clear();
      backoff = options_.backoff_initial_ms;
      continue;
    }
    if (st.message() != last_error) options_.log("server link: " + st.message());
    last_error = st.message();
    if (st.code() == StatusCode::kPermissionDenied) {
      // Revoked: wait for a new node key rather than knocking on the door.
      while (!stopping_.load()) {
        WaitMs(5000);
        auto key = ReadNodeKey(options_.endpoint.node_key_file);
        if (key.ok() && *key != node_key_) {
          node_key_ = *key;
          options_.log("server link: new node key in " + options_.endpoint.node_key_file);
          next_config_ms = 0;
          break;
        }
      }
      continue;
    }
    const int64_t delay =
        std::uniform_int_distribution<int64_t>(backoff / 2, backoff + backoff / 2)(rng);
    WaitMs(delay);
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
}

}  // namespace warden

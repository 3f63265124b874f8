// `warden agent`: runs the host agent (`warden agent --config FILE`) and talks
// to a running one: `status`, `run-now JOB`, `test-sink NAME`, `reload`, and the
// problems it keeps (`problems`, `problems show ID`, `problems dismiss ID
// --comment ...`). The running agent is found through its control socket,
// located from --config, --state-dir or --socket (default: the default state
// directory). Problems are read straight from the state file, so they can be
// listed while the agent is stopped; a dismissal goes through the agent when
// it runs (so sinks see the event) and into the file otherwise.
// Exit codes: 0 success, 1 `run-now` ran a job that failed or `reload` was
// rejected (the running config stays), 2 usage or input
// error (including "the agent is not running").
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "agent/control_socket.h"
#include "agent/host_event_source.h"
#include "cli/host_session.h"
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/time_format.h"
#include "core/yaml_reader.h"
#include "detectors/host_runtime_detector.h"
#include "ebpf/host_rules.h"
#include "problems/problem_rendering.h"
#include "problems/sqlite_problem_repository.h"

namespace warden {
namespace {

struct Location {
  std::string config;
  std::string state_dir;
  std::string socket;
};

struct Resolved {
  std::string state_dir;
  std::string socket;
  std::optional<AgentConfig> config;
};

void AddLocationOptions(CLI::App& cmd, Location* loc) {
  cmd.add_option("-c,--config", loc->config,
                 "The agent's config file (to find its state and socket)");
  cmd.add_option("--state-dir", loc->state_dir,
                 "The agent's state directory (default: " + DefaultStateDir() + ")");
  cmd.add_option("--socket", loc->socket,
                 "The agent's control socket (default: STATE_DIR/agent.sock)");
}

Result<Resolved> Resolve(const Location& loc) {
  Resolved r;
  if (!loc.config.empty()) {
    auto c = LoadAgentConfig(loc.config);
    if (c.ok()) {
      r.state_dir = c->state_dir;
      r.socket = c->control_socket;
      r.config = std::move(*c);
    } else {
      // A running agent keeps its previous config after a bad edit: find it anyway.
      ASSIGN_OR_RETURN(AgentLocation where, LoadAgentLocation(loc.config));
      std::cerr << "warden: warning: " << c.status().message()
                << " (a running agent keeps its previous config)\n";
      r.state_dir = where.state_dir;
      r.socket = where.control_socket;
    }
  } else {
    r.state_dir = loc.state_dir.empty() ? DefaultStateDir() : loc.state_dir;
    r.socket = r.state_dir + "/agent.sock";
  }
  if (!loc.state_dir.empty()) r.state_dir = loc.state_dir;
  if (!loc.socket.empty()) r.socket = loc.socket;
  return r;
}

Result<Json> Ask(const std::string& socket, const Json& request, int timeout_ms = 30000) {
  ASSIGN_OR_RETURN(Json answer,
                   SendControlRequest(socket, request, std::chrono::milliseconds(timeout_ms)));
  if (!answer.value("ok", false))
    return InvalidArgument(answer.value("error", std::string("the agent refused")));
  return answer;
}

std::string Text(const Json& j) {
  if (j.is_null()) return "";
  if (j.is_string()) return j.get<std::string>();
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "4m 10s", "2h 5m", "3d 1h".
std::string DurationText(int64_t seconds) {
  const int64_t d = std::llabs(seconds);
  if (d >= 86400) return std::to_string(d / 86400) + "d " + std::to_string(d % 86400 / 3600) + "h";
  if (d >= 3600) return std::to_string(d / 3600) + "h " + std::to_string(d % 3600 / 60) + "m";
  if (d >= 60) return std::to_string(d / 60) + "m " + std::to_string(d % 60) + "s";
  return std::to_string(d) + "s";
}

// "in 4m 10s" / "12s ago" relative to now.
std::string Relative(int64_t ms) {
  if (ms <= 0) return "";
  const int64_t d = (ms - NowEpochMillis()) / 1000;
  return d >= 0 ? "in " + DurationText(d) : DurationText(d) + " ago";
}

std::string WithRelative(const Json& rfc3339) {
  if (!rfc3339.is_string()) return "-";
  auto t = ParseRfc3339(rfc3339.get<std::string>());
  return rfc3339.get<std::string>() + (t ? " (" + Relative(*t * 1000) + ")" : "");
}

std::string Mb(int64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MB"; }

void PrintStatusTable(const Json& s) {
  const Json& a = s["agent"];
  const Json& r = s["resources"];
  const Json& p = s["problems"];
  char cpu[64];
  std::snprintf(cpu, sizeof cpu, "%.2f%% (1 min), %.2f%% (10 s)", r.value("cpu_percent_1m", 0.0),
                r.value("cpu_percent_10s", 0.0));
  std::cout << "Agent:     running, pid " << a.value("pid", 0) << ", warden " << Text(a["version"])
            << ", up " << DurationText(a.value("uptime_seconds", int64_t{0})) << "\n"
            << "Config:    " << Text(a["config"]) << " (sha256 "
            << Text(a["config_hash"]).substr(0, 12) << ", loaded " << Text(a["config_loaded"])
            << ")\n";
  if (!a["last_reload_error"].is_null())
    std::cout << "Reload:    REJECTED, old config still running: " << Text(a["last_reload_error"])
              << "\n";
  std::cout << "Recipe:    " << Text(a["recipe"])
            << (a.value("recipe_source", std::string()) == "server"
                    ? " from the server (config " + Text(a["server_recipe_etag"]) +
                          ") over the file's"
                    : std::string(" from the file"))
            << "\n";
  std::cout << "Host:      " << Text(s["host"]) << "\n"
            << "State:     " << Text(a["state_file"]) << "\n"
            << "Resources: CPU " << cpu << ", RSS " << Mb(r.value("rss_bytes", int64_t{0}))
            << " (peak " << Mb(r.value("peak_rss_bytes", int64_t{0})) << "); limits "
            << r.value("max_cpu_percent", 0.0) << "% CPU, "
            << Mb(r.value("max_rss_bytes", int64_t{0})) << "\n"
            << "Problems:  " << p.value("open", 0) << " open, " << p.value("resolved", 0)
            << " resolved, " << p.value("dismissed", 0) << " dismissed (warden agent problems)\n";
  for (const Json& src : s.value("event_sources", Json::array()))
    std::cout << "Runtime:   " << Text(src["name"]) << " via " << Text(src["tier"]) << ", "
              << src.value("rules", int64_t{0}) << " rules, " << src.value("events", int64_t{0})
              << " events" << (src.value("active", false) ? "" : " (STOPPED)")
              << " (warden events status)\n"
              << (src.value("note", std::string()).empty()
                      ? std::string()
                      : "           " + src.value("note", std::string()) + "\n");
  if (s.contains("server") && s["server"].is_object()) {
    const Json& v = s["server"];
    std::cout << "Server:    " << Text(v["url"]) << ", last contact "
              << (v["last_contact"].is_null() ? std::string("never")
                                              : WithRelative(v["last_contact"]))
              << ", " << v.value("commands", int64_t{0}) << " commands run"
              << (v["last_error"].is_null() ? "" : "; " + Text(v["last_error"])) << "\n";
    if (v.contains("config_refused") && !v["config_refused"].is_null())
      std::cout << "           server config REFUSED, previous kept: " << Text(v["config_refused"])
                << "\n";
  }
  std::cout << "\n";
  auto jobs = MakeRowPrinter(
      OutputFormat::kTable, std::cout,
      StdoutTableFit(
          {{"job", 3}, {"result", 2, 20}, {"next_run", 1, 14}, {"last_run", 0, 14}, {"kind", -1}}));
  jobs->Begin({"job", "kind", "schedule", "last_run", "duration", "result", "next_run"});
  for (const Json& j : s["jobs"]) {
    std::string next = j["queued"].get<bool>() ? "queued" : WithRelative(j["next_run"]);
    if (j["running"].get<bool>()) {
      const std::string running_for =
          "running for " + DurationText(j.value("running_for_seconds", int64_t{0}));
      next = j.value("stuck", false) ? "STUCK, " + running_for : running_for;
    }
    if (!j["denylisted_until"].is_null()) next = "denylisted until " + Text(j["denylisted_until"]);
    std::string result = Text(j["result"]);
    if (!j["note"].is_null()) result += (result.empty() ? "" : " | ") + Text(j["note"]);
    if (result.size() > 64) result = result.substr(0, 61) + "...";
    jobs->Row({Value(Text(j["name"])), Value(Text(j["kind"])), Value(Text(j["schedule"])),
               Value(j["last_run"].is_null() ? std::string("never") : WithRelative(j["last_run"])),
               j["duration_ms"].is_null() ? Value() : Value(Text(j["duration_ms"]) + " ms"),
               Value(result), Value(next)});
  }
  jobs->End();
  if (!s["sinks"].empty()) {
    std::cout << "\n";
    auto sinks = MakeRowPrinter(OutputFormat::kTable, std::cout,
                                StdoutTableFit({{"sink", 3},
                                                {"last_error", 2, 20},
                                                {"queued", 1},
                                                {"delivered", 1},
                                                {"destination", -1},
                                                {"records", -2}}));
    sinks->Begin(
        {"sink", "type", "destination", "records", "queued", "dropped", "delivered", "last_error"});
    for (const Json& k : s["sinks"]) {
      std::string kinds;
      for (const Json& x : k["records"]) kinds += (kinds.empty() ? "" : ",") + Text(x);
      const bool q = k.contains("queue");
      std::string queued = q ? std::to_string(k["queue"].value("records", 0)) + " (" +
                                   Mb(k["queue"].value("bytes", int64_t{0})) + " of " +
                                   Mb(k["queue"].value("max_bytes", int64_t{0})) + ")"
                             : "-";
      std::string err = Text(k["last_error"]);
      if (!k["next_attempt"].is_null()) err += "; retry " + WithRelative(k["next_attempt"]);
      sinks->Row({Value(Text(k["name"])), Value(Text(k["type"])), Value(Text(k["destination"])),
                  Value(kinds), Value(queued),
                  q ? Value(k["queue"].value("dropped", int64_t{0})) : Value(),
                  q ? Value(k["queue"].value("delivered", int64_t{0}))
                    : Value(k.value("delivered_since_start", int64_t{0})),
                  Value(err)});
    }
    sinks->End();
  }
}

int RunStatus(const Location& loc, const std::string& format_flag) {
  const std::string format = format_flag.empty() ? DefaultFormat() : format_flag;
  if (format != "table" && format != "json")
    return ReportError(
        InvalidArgument("--format: unknown format '" + format + "' (use table or json)"));
  auto where = Resolve(loc);
  if (!where.ok()) return ReportError(where.status());
  auto s = Ask(where->socket, {{"command", "status"}});
  if (!s.ok()) return ReportError(s.status());
  s->erase("ok");
  if (format == "json") {
    std::cout << s->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    StdoutLineFit fit;
    PrintStatusTable(*s);
  }
  return 0;
}

// Asks the agent to re-read its config and waits until it has tried: only
// the agent hears it (unlike `kill -HUP $(pidof warden)`, which also stops
// every other warden process), and the answer says whether it took.
int RunReload(const Location& loc, int timeout_s) {
  auto where = Resolve(loc);
  if (!where.ok()) return ReportError(where.status());
  auto before = Ask(where->socket, {{"command", "status"}});
  if (!before.ok()) return ReportError(before.status());
  const int64_t previous = (*before)["agent"].value("reload_attempts", int64_t{0});
  auto asked = Ask(where->socket, {{"command", "reload"}});
  if (!asked.ok()) return ReportError(asked.status());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = Ask(where->socket, {{"command", "status"}});
    if (!s.ok()) return ReportError(s.status());
    const Json& agent = (*s)["agent"];
    if (agent.value("reload_attempts", int64_t{0}) != previous) {
      if (!agent.value("last_reload_error", Json(nullptr)).is_null()) {
        std::cerr << "warden: reload rejected, the running config stays in force: "
                  << Text(agent["last_reload_error"]) << "\n";
        return 1;
      }
      std::cerr << "warden: config reloaded from " << Text(agent["config"]) << " (sha256 "
                << Text(agent["config_hash"]).substr(0, 12) << ")\n";
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ReportError(Status(StatusCode::kTimeout, "the agent did not report the reload within " +
                                                      std::to_string(timeout_s) + " s"));
}

const Json* FindJob(const Json& status, const std::string& name) {
  for (const Json& j : status["jobs"])
    if (j.value("name", std::string()) == name) return &j;
  return nullptr;
}

int RunRunNow(const Location& loc, const std::string& job, bool wait, int timeout_s) {
  auto where = Resolve(loc);
  if (!where.ok()) return ReportError(where.status());
  auto before = Ask(where->socket, {{"command", "status"}});
  if (!before.ok()) return ReportError(before.status());
  const Json* b = FindJob(*before, job);
  const int64_t previous = b ? (*b).value("last_run_ms", int64_t{0}) : 0;
  auto r = Ask(where->socket, {{"command", "run-now"}, {"job", job}});
  if (!r.ok()) return ReportError(r.status());
  if (!wait) {
    std::cout << "Job " << job << " will run now; see warden agent status\n";
    return 0;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto s = Ask(where->socket, {{"command", "status"}});
    if (!s.ok()) return ReportError(s.status());
    const Json* j = FindJob(*s, job);
    if (!j) return ReportError(NotFound("job " + job + " disappeared (config reloaded?)"));
    if ((*j).value("last_run_ms", int64_t{0}) > previous && !(*j)["running"].get<bool>() &&
        !(*j)["queued"].get<bool>()) {
      const std::string outcome = Text((*j)["outcome"]);
      std::cout << job << ": " << Text((*j)["result"]) << " (" << Text((*j)["duration_ms"])
                << " ms); next run " << WithRelative((*j)["next_run"]) << "\n";
      return outcome == "ok" || outcome == "skipped" ? 0 : 1;
    }
  }
  return ReportError(Timeout("job " + job + " did not finish within " + std::to_string(timeout_s) +
                             " s; it keeps running in the agent"));
}

// A short description of what the problem is about, for the table.
std::string ProblemSubject(const Problem& p) {
  const Json& f = p.finding.attributes;
  if (f.contains("port")) {
    std::string s = f.value("protocol", std::string()) + " " + f.value("address", std::string()) +
                    ":" + std::to_string(f.value("port", 0));
    if (f.contains("process") && f["process"].is_string())
      s += " " + f["process"].get<std::string>();
    const Json& evidence = p.finding.evidence;
    if (evidence.contains("pid") && evidence["pid"].is_number())
      s += " (pid " + std::to_string(evidence["pid"].get<int64_t>()) + ")";
    return s;
  }
  if (f.contains("cve_count")) {
    std::string s = std::to_string(f.value("cve_count", 0)) + " CVEs:";
    for (const char* k : {"critical", "high", "medium", "low", "unknown"}) {
      int64_t n = f.contains("counts") ? f["counts"].value(k, int64_t{0}) : 0;
      if (n) s += std::string(" ") + k + " " + std::to_string(n);
    }
    return s;
  }
  return p.resource;
}

Result<std::unique_ptr<ProblemRepository>> OpenProblems(const Resolved& where) {
  const std::string path = StateFilePath(where.state_dir);
  if (access(path.c_str(), F_OK) != 0)
    return NotFound("no agent state at " + path +
                    " (has the agent run? start it with warden agent --config FILE)");
  ASSIGN_OR_RETURN(std::unique_ptr<ProblemRepository> repository,
                   SqliteProblemRepository::Open(path, /*read_only=*/true));
  return repository;
}

int RunProblems(const Location& loc, const std::string& format_flag, const std::string& status_flag,
                const std::string& rule) {
  const std::string format = format_flag.empty() ? DefaultFormat() : format_flag;
  auto parsed = ParseOutputFormat(format);
  if (!parsed && format != "ocsf")
    return ReportError(InvalidArgument("--format: unknown format '" + format +
                                       "' (use table, json, jsonl, csv or ocsf)"));
  ProblemFilter filter;
  filter.rule_id = rule;
  if (status_flag != "all") {
    for (auto part : SplitString(status_flag, ',')) {
      auto s = ParseProblemStatus(TrimWhitespace(part));
      if (!s)
        return ReportError(InvalidArgument("--status: unknown status '" + std::string(part) +
                                           "' (use open, resolved, dismissed or all)"));
      filter.statuses.insert(*s);
    }
  }
  auto where = Resolve(loc);
  if (!where.ok()) return ReportError(where.status());
  auto store = OpenProblems(*where);
  if (!store.ok()) return ReportError(store.status());
  auto problems = (*store)->List(filter);
  if (!problems.ok()) return ReportError(problems.status());
  if (format == "json" || format == "ocsf") {
    Json out = Json::array();
    for (const Problem& p : *problems)
      out.push_back(format == "json" ? ProblemToJson(p) : ProblemToOcsf(p));
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  if (format == "jsonl") {
    for (const Problem& p : *problems)
      std::cout << ProblemToJson(p).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
    return 0;
  }
  auto printer = MakeRowPrinter(*parsed, std::cout,
                                StdoutTableFit({{"id", 3},
                                                {"subject", 2, 20},
                                                {"risk_level", 2},
                                                {"rule_id", 1},
                                                {"status", 1},
                                                {"title", 0, 16},
                                                {"first_detected", -2},
                                                {"last_detected", -1}}));
  const bool csv = format == "csv";
  std::vector<std::string> cols = {"id",    "status",  "risk_level",     "rule_id",
                                   "title", "subject", "first_detected", "last_detected"};
  if (csv) cols.insert(cols.end(), {"host", "description", "remediation", "dismissed_comment"});
  printer->Begin(cols);
  for (const Problem& p : *problems) {
    std::vector<Value> row = {Value(csv ? p.id : p.id.substr(0, 12)),
                              Value(std::string(ProblemStatusName(p.status))),
                              Value(std::string(RiskLevelName(p.risk_level))),
                              Value(p.rule_id),
                              Value(p.title),
                              Value(ProblemSubject(p)),
                              Value(FormatRfc3339(p.first_detected)),
                              Value(FormatRfc3339(p.last_detected))};
    if (csv) {
      row.emplace_back(p.host);
      row.emplace_back(p.finding.description);
      row.emplace_back(p.finding.remediation);
      row.emplace_back(p.dismissed_comment);
    }
    printer->Row(row);
  }
  printer->End();
  if (format == "table")
    std::cerr
        << problems->size()
        << " problem(s). Details: warden agent problems show ID; export: --format csv|json|ocsf\n";
  return 0;
}

int RunProblemShow(const Location& loc, const std::string& id, const std::string& format_flag) {
  const std::string format = format_flag.empty() ? DefaultFormat() : format_flag;
  if (format != "table" && format != "json" && format != "ocsf")
    return ReportError(
        InvalidArgument("--format: unknown format '" + format + "' (use table, json or ocsf)"));
  auto where = Resolve(loc);
  if (!where.ok()) return ReportError(where.status());
  auto store = OpenProblems(*where);
  if (!store.ok()) return ReportError(store.status());
  auto p = (*store)->Get(id);
  if (!p.ok()) return ReportError(p.status());
  auto history = (*store)->History(p->id);
  auto details = (*store)->Details(p->id);
  if (!history.ok() || !details.ok())
    return ReportError(!history.ok() ? history.status() : details.status());
  if (format == "ocsf") {
    std::cout << ProblemToOcsf(*p).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }
  if (format == "json") {
    Json j = ProblemToJson(*p);
    Json h = Json::array();
    for (const auto& e : *history)
      h.push_back({{"revision", e.revision},
                   {"at", FormatRfc3339(e.at)},
                   {"action", ProblemActionName(e.action)},
                   {"status", ProblemStatusName(e.status)},
                   {"comment", e.comment.empty() ? Json(nullptr) : Json(e.comment)}});
    j["history"] = std::move(h);
    Json findings = Json::array();
    for (const Finding& d : *details) findings.push_back(FindingToJson(d));
    j["findings"] = std::move(findings);
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  std::cout << "Problem     " << p->id << "\n"
            << "Rule        " << p->rule_id << " - " << p->title << "\n"
            << "Risk level  " << RiskLevelDisplayName(p->risk_level) << "\n"
            << "Status      " << ProblemStatusName(p->status)
            << (p->status == ProblemStatus::kDismissed
                    ? " (\"" + p->dismissed_comment + "\"" +
                          (p->dismissed_until ? ", until " + FormatRfc3339(p->dismissed_until)
                                              : "") +
                          ")"
                    : "")
            << "\n"
            << "Host        " << p->host << "\n"
            << "Detected    first " << FormatRfc3339(p->first_detected) << ", last "
            << FormatRfc3339(p->last_detected) << "\n"
            << "Why         " << p->finding.description << "\n"
            << "Remediation " << p->finding.remediation << "\n";
  if (!p->finding.links.empty()) {
    std::cout << "Links      ";
    for (const auto& l : p->finding.links) std::cout << " " << l;
    std::cout << "\n";
  }
  std::cout << "Evidence    "
            << p->finding.evidence.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
  std::cout << "\nHistory\n";
  auto hp = MakeRowPrinter(OutputFormat::kTable, std::cout, StdoutTableFit({{"comment", 0, 16}}));
  hp->Begin({"revision", "at", "action", "status", "comment"});
  for (const auto& e : *history)
    hp->Row({Value(e.revision), Value(FormatRfc3339(e.at)),
             Value(std::string(ProblemActionName(e.action))),
             Value(std::string(ProblemStatusName(e.status))), Value(e.comment)});
  hp->End();
  if (!details->empty()) {
    std::cout << "\nFindings (" << details->size() << ")\n";
    auto dp = MakeRowPrinter(OutputFormat::kTable, std::cout,
                             StdoutTableFit({{"cve", 3, 16}, {"package", 2}, {"remediation", -1}}));
    dp->Begin({"cve", "package", "installed_version", "fixed_version", "severity", "remediation"});
    for (const Finding& finding : *details) {
      const Json d = FindingToJson(finding);
      dp->Row({Value(Text(d.value("cve", Json()))), Value(Text(d.value("package", Json()))),
               Value(Text(d.value("installed_version", Json()))),
               Value(Text(d.value("fixed_version", Json()))),
               Value(Text(d.value("severity", Json()))),
               Value(Text(d.value("remediation", Json())))});
    }
    dp->End();
  }
  return 0;
}

Result<int64_t> ParseUntil(const std::string& until, const std::string& for_duration) {
  if (!until.empty() && !for_duration.empty())
    return InvalidArgument("give --until or --for, not both");
  if (!until.empty()) {
    auto t = ParseRfc3339(until);
    if (!t)
      return InvalidArgument("--until: expected an RFC 3339 time like " +
                             FormatRfc3339(NowEpochSeconds() + 30 * 86400) + ", got '" + until +
                             "' (or use --for 30d)");
    return *t;
  }
  if (!for_duration.empty()) {
    std::optional<int64_t> ms = ParseDurationMs(for_duration);
    if (!ms || *ms < 1000)
      return InvalidArgument("--for: expected a duration like 30d, 12h or 90m, got '" +
                             for_duration + "'");
    return NowEpochSeconds() + *ms / 1000;
  }
  return int64_t{0};
}

int RunDismiss(const Location& loc, const std::string& id, const std::string& comment,
               const std::string& until, const std::string& for_duration) {
  auto expiry = ParseUntil(until, for_duration);
  if (!expiry.ok()) return ReportError(expiry.status());
  if (std::string(TrimWhitespace(comment)).empty())
    return ReportError(InvalidArgument("--comment: a dismissal needs a comment saying why"));
  auto where = Resolve(loc);
  if (!where.ok()) return ReportError(where.status());
  Json problem;
  auto answer = SendControlRequest(
      where->socket, {{"command", "dismiss"}, {"id", id}, {"comment", comment}, {"until", *expiry}},
      std::chrono::milliseconds(30000));
  if (answer.ok()) {
    if (!(*answer).value("ok", false))
      return ReportError(InvalidArgument((*answer).value("error", std::string())));
    problem = (*answer)["problem"];
  } else if (answer.status().code() == StatusCode::kUnavailable) {
    // No agent: record it in the state file; sinks hear of it at the next change.
    auto store = SqliteProblemRepository::Open(StateFilePath(where->state_dir), false);
    if (!store.ok()) return ReportError(store.status());
    auto e = (*store)->Dismiss(id, comment, *expiry, NowEpochSeconds());
    if (!e.ok()) return ReportError(e.status());
    problem = ProblemToJson(e->problem);
    std::cerr
        << "warden: note: the agent is not running; the dismissal is stored but no sink was told\n";
  } else {
    return ReportError(answer.status());
  }
  std::cout << "Dismissed " << Text(problem["id"]) << " (" << Text(problem["title"]) << ")"
            << (*expiry ? " until " + FormatRfc3339(*expiry) : std::string()) << ": " << comment
            << "\n";
  return 0;
}

int RunTestSink(const Location& loc, const std::string& name) {
  auto where = Resolve(loc);
  if (!where.ok()) return ReportError(where.status());
  Json answer;
  auto r = SendControlRequest(where->socket, {{"command", "test-sink"}, {"sink", name}},
                              std::chrono::milliseconds(120000));
  if (r.ok()) {
    answer = *r;
  } else if (r.status().code() == StatusCode::kUnavailable && where->config) {
    const SinkConfig* sc = where->config->FindSink(name);
    if (!sc) return ReportError(NotFound("no sink named '" + name + "' in " + where->config->path));
    answer = SendTestRecord(*sc, ResolveHostIdentifier(*where->config));
  } else {
    return ReportError(
        r.status().code() == StatusCode::kUnavailable
            ? Status(StatusCode::kUnavailable,
                     r.status().message() + " (or pass --config FILE to test without an agent)")
            : r.status());
  }
  if (!answer.value("ok", false)) {
    std::string where_to =
        answer.contains("destination") ? " (" + Text(answer["destination"]) + ")" : "";
    return ReportError(Unavailable("sink " + name + where_to + ": test record not delivered: " +
                                   answer.value("error", std::string("unknown error"))));
  }
  std::cout << "sink " << name << " (" << Text(answer["type"]) << " -> "
            << Text(answer["destination"]) << "): test record " << Text(answer["record_id"])
            << " delivered in " << Text(answer["elapsed_ms"]) << " ms\n";
  return 0;
}

int RunAgent(const std::string& config_flag, bool check_only) {
  // --config, else $WARDEN_AGENT_CONFIG, else /etc/warden/agent.yaml when it exists.
  std::string config_path = config_flag;
  if (const char* env = std::getenv("WARDEN_AGENT_CONFIG"); config_path.empty() && env && *env)
    config_path = env;
  if (config_path.empty() && access("/etc/warden/agent.yaml", R_OK) == 0)
    config_path = "/etc/warden/agent.yaml";
  if (config_path.empty())
    return ReportError(
        InvalidArgument("--config: give the agent's config file (see examples/agent.yaml)"));
  auto config = LoadAgentConfig(config_path);
  if (!config.ok()) return ReportError(config.status());
  // The runtime rules' files are checked here too (the config module does
  // not know the host rule language).
  if (auto runtime = HostEventSourceOptionsFor(*config)) {
    auto engine =
        HostRuleEngine::Create(runtime->pipeline.rule_paths, true, runtime->pipeline.site_rules);
    if (!engine.ok()) {
      std::cerr << "warden agent: " << config_path << ": recipe.rules." << kHostRuntimeDetectorId
                << ".settings.rules: " << engine.status().message() << "\n";
      return 2;
    }
  }
  if (check_only) {
    int rules = 0, queries = 0, sinks = 0;
    for (const auto& d : config->detectors) rules += d.enabled;
    for (const auto& q : config->queries) queries += q.enabled;
    for (const auto& s : config->sinks) sinks += s.enabled;
    std::cout << config_path << ": OK (" << rules << " rules, " << queries << " scheduled queries, "
              << sinks << " sinks; state " << config->state_dir << ")\n";
    return 0;
  }
  AgentOptions options;
  options.config_path = config_path;
  options.sql_factory = []() -> Result<std::shared_ptr<SqlEngine>> {
    ASSIGN_OR_RETURN(std::unique_ptr<HostSession> session, HostSession::Open("/"));
    std::shared_ptr<HostSession> owner(std::move(session));
    // Aliasing: the engine pointer keeps its whole session (registry, HostFs) alive.
    return std::shared_ptr<SqlEngine>(owner, &owner->engine());
  };
  // HOST-RUNTIME: the eBPF collector (or its fallback) with the host rules.
  options.event_sources.push_back(HostEventSourceFactory());
  Agent agent(std::move(options));
  return agent.Run();
}

}  // namespace

void AddAgentCommand(CLI::App& app, CommandAction* action) {
  struct Opts {
    std::string config;
    bool check = false;
    Location loc;
    std::string format;
    std::string job;
    bool no_wait = false;
    int timeout_s = 600;
    std::string status = "open,dismissed";
    std::string rule;
    std::string id;
    std::string comment;
    std::string until;
    std::string for_duration;
    std::string sink;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* agent =
      app.add_subcommand("agent", "Run the host agent, or talk to a running one")
          ->footer(
              "The agent runs the detector recipe (open ports, vulnerabilities) and scheduled "
              "queries on\n"
              "their schedules, keeps problems in its state file and sends records to its sinks.\n"
              "Examples:\n"
              "  warden agent --config /etc/warden/agent.yaml\n"
              "  warden agent --config agent.yaml --check\n"
              "  warden agent status\n"
              "  warden agent run-now HOST-OPEN-PORTS\n"
              "  warden agent reload\n"
              "  warden agent problems --format csv > problems.csv\n"
              "  warden agent problems dismiss 3f2a9c1b7e0d --comment \"approved by J. Doe\"\n"
              "  warden agent test-sink siem-syslog\n"
              "  warden agent enroll --server https://warden:8443 --secret wdn_enr_... "
              "--ca-fingerprint sha256:...");
  agent->require_subcommand(0, 1);
  agent->add_option(
      "-c,--config", o->config,
      "Agent config file (YAML; see examples/agent.yaml). Default: $WARDEN_AGENT_CONFIG, "
      "then /etc/warden/agent.yaml");
  agent->add_flag("--check", o->check, "Only check the config file and exit (0 valid, 2 invalid)");
  agent->callback([o, agent, action]() {
    if (!agent->get_subcommands().empty()) return;
    *action = [o]() { return RunAgent(o->config, o->check); };
  });

  CLI::App* status =
      agent
          ->add_subcommand("status",
                           "Show the running agent's jobs (last run, duration, result, "
                           "next run), sinks and resource use")
          ->footer(
              "Examples:\n  warden agent status\n  warden agent status --config agent.yaml "
              "--format json");
  AddLocationOptions(*status, &o->loc);
  AddFormatOption(*status, &o->format, "table|json");
  status->callback([o, action]() { *action = [o]() { return RunStatus(o->loc, o->format); }; });

  CLI::App* reload =
      agent->add_subcommand("reload", "Re-read the running agent's config and say whether it took")
          ->footer(
              "A rejected config (file:line:column and why) leaves the running one in force; "
              "exit 1 then.\n"
              "Examples:\n  warden agent reload\n  warden agent reload --config agent.yaml");
  AddLocationOptions(*reload, &o->loc);
  reload->callback([o, action]() { *action = [o]() { return RunReload(o->loc, 60); }; });

  CLI::App* run_now =
      agent->add_subcommand("run-now", "Run one job immediately and wait for its result")
          ->footer(
              "Exit code: 0 the job ran (ok or skipped), 1 it failed, 2 error.\n"
              "Examples:\n  warden agent run-now HOST-OPEN-PORTS\n"
              "  warden agent run-now HOST-VULN --no-wait");
  run_now
      ->add_option("job", o->job,
                   "Job name: a rule id (HOST-OPEN-PORTS, HOST-VULN), a query name or status")
      ->required();
  run_now->add_flag("--no-wait", o->no_wait, "Return once the job is started");
  run_now->add_option("--timeout", o->timeout_s, "Seconds to wait for the result (default 600)")
      ->check(CLI::PositiveNumber);
  AddLocationOptions(*run_now, &o->loc);
  run_now->callback([o, action]() {
    *action = [o]() { return RunRunNow(o->loc, o->job, !o->no_wait, o->timeout_s); };
  });

  CLI::App* problems =
      agent->add_subcommand("problems", "List the agent's problems (open and dismissed by default)")
          ->footer(
              "Examples:\n  warden agent problems\n  warden agent problems --status all --format "
              "csv > p.csv\n"
              "  warden agent problems --rule HOST-OPEN-PORTS --format json\n"
              "  warden agent problems show 3f2a9c1b7e0d\n"
              "  warden agent problems dismiss 3f2a9c1b7e0d --comment \"expected: build cache\" "
              "--for 30d");
  problems->require_subcommand(0, 1);
  AddLocationOptions(*problems, &o->loc);
  AddFormatOption(*problems, &o->format, "table|json|jsonl|csv|ocsf");
  problems->add_option("--status", o->status, "open, resolved, dismissed (comma-separated) or all");
  problems->add_option("--rule", o->rule, "Only this rule's problems (HOST-OPEN-PORTS, HOST-VULN)");
  problems->callback([o, problems, action]() {
    if (!problems->get_subcommands().empty()) return;
    *action = [o]() { return RunProblems(o->loc, o->format, o->status, o->rule); };
  });

  CLI::App* show =
      problems->add_subcommand("show", "Show one problem with its history and findings")
          ->footer(
              "Examples:\n  warden agent problems show 3f2a9c1b7e0d\n"
              "  warden agent problems show 3f2a9c1b7e0d --format json");
  show->add_option("id", o->id, "Problem id (or its first 6+ characters)")->required();
  AddLocationOptions(*show, &o->loc);
  AddFormatOption(*show, &o->format, "table|json|ocsf");
  show->callback(
      [o, action]() { *action = [o]() { return RunProblemShow(o->loc, o->id, o->format); }; });

  CLI::App* dismiss =
      problems->add_subcommand("dismiss", "Dismiss a problem with a mandatory comment")
          ->footer(
              "A dismissed problem stays dismissed while the condition lasts; with --until or\n"
              "--for it opens again after that time if the condition is still there.\n"
              "Examples:\n"
              "  warden agent problems dismiss 3f2a9c1b7e0d --comment \"dev box, accepted\"\n"
              "  warden agent problems dismiss 3f2a9c --comment \"patch window Friday\" --for 7d");
  dismiss->add_option("id", o->id, "Problem id (or its first 6+ characters)")->required();
  dismiss
      ->add_option("--comment", o->comment, "Why it is dismissed (kept in the problem's history)")
      ->required();
  dismiss->add_option("--until", o->until, "Dismiss until this RFC 3339 time");
  dismiss->add_option("--for", o->for_duration, "Dismiss for this long (30d, 12h, 90m)");
  AddLocationOptions(*dismiss, &o->loc);
  dismiss->callback([o, action]() {
    *action = [o]() { return RunDismiss(o->loc, o->id, o->comment, o->until, o->for_duration); };
  });

  CLI::App* test_sink =
      agent
          ->add_subcommand("test-sink", "Send a test record to one sink and say whether it arrived")
          ->footer(
              "Goes through the running agent; with --config and no agent running, sends it "
              "directly.\n"
              "Examples:\n  warden agent test-sink siem-syslog\n"
              "  warden agent test-sink splunk --config /etc/warden/agent.yaml");
  test_sink->add_option("sink", o->sink, "Sink name (sinks[].name in the config)")->required();
  AddLocationOptions(*test_sink, &o->loc);
  test_sink->callback([o, action]() { *action = [o]() { return RunTestSink(o->loc, o->sink); }; });

  AddAgentEnrollCommand(*agent, action);
}

}  // namespace warden

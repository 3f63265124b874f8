// `warden events`: runtime host events from the kernel.
//   watch   runs the collector (eBPF, or its fallback) in the foreground:
//           streams events and the findings of the host rules, and keeps
//           the event journal that bpf_process_events / bpf_socket_events
//           read. Stops on Ctrl-C / SIGTERM or after --duration.
//   status  what a running collector reports (tier, hooks, counters, drops,
//           coverage gaps); with none running, what one would use here.
//   rules   prints the built-in host rule catalog (YAML) to copy and adapt.
// The collector itself is src/ebpf/host_event_pipeline.h; this file only
// parses flags and prints.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/finding.h"
#include "core/output_format.h"
#include "core/time_format.h"
#include "ebpf/host_event_pipeline.h"

namespace warden {

namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnStopSignal(int) { g_stop = 1; }

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: the poll wakes up
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// "{" + "\"record\":\"<type>\"," + the rest of a JSON object.
std::string Tagged(std::string_view type, std::string_view object_json) {
  std::string out = "{\"record\":\"";
  out += type;
  out += '"';
  if (object_json.size() > 2) out += ',';
  out += object_json.substr(1);
  return out;
}

std::string Clock(int64_t time_ns) {
  std::string t = FormatRfc3339Millis(time_ns);  // 2026-11-23T01:17:24.123Z
  return t.size() >= 23 ? t.substr(11, 12) : t;
}

std::string Shorten(std::string s, size_t max) {
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

// One line per event for people.
std::string EventLine(const HostEvent& e, const EventView& v) {
  std::ostringstream o;
  o << Clock(e.time_ns) << "  " << std::left << std::setw(11) << HostEventKindName(e.kind)
    << " pid=" << e.pid << " ppid=" << e.ppid << " uid=" << e.uid << "  ";
  std::string exe = e.exe.empty() && v.process != nullptr ? v.process->exe : e.exe;
  switch (e.kind) {
    case HostEventKind::kExec:
      o << Shorten(e.exec_path.empty() ? e.exe : e.exec_path, 60) << "  "
        << Shorten(e.CommandLine(), 100);
      break;
    case HostEventKind::kExit:
      o << exe << " code=" << ExitCodeOf(e.exit_status) << " signal=" << ExitSignalOf(e.exit_status)
        << " after " << e.duration_ns / 1000000 << " ms";
      break;
    case HostEventKind::kFork:
      o << exe;
      break;
    case HostEventKind::kConnect:
    case HostEventKind::kAccept:
      o << exe << "  " << e.local.address << ":" << e.local.port << " -> " << e.remote.address
        << ":" << e.remote.port << " result=" << e.result;
      break;
    case HostEventKind::kBind:
    case HostEventKind::kListen:
      o << exe << "  " << e.local.address << ":" << e.local.port << " result=" << e.result;
      break;
    case HostEventKind::kSetId:
      o << exe << "  " << e.syscall << " -> uid=" << e.uid << " euid=" << e.euid
        << " result=" << e.result;
      break;
    case HostEventKind::kOpen:
      o << exe << "  " << e.path << " (" << OpenAccessName(e.open_flags) << ") result=" << e.result;
      break;
    case HostEventKind::kModuleLoad:
      o << exe << "  " << e.path << " result=" << e.result;
      break;
  }
  if (!v.ancestors.empty()) {
    o << "  [";
    for (size_t i = 0; i < v.ancestors.size() && i < 4; ++i)
      o << (i ? " < " : "") << v.ancestors[i]->name;
    o << "]";
  }
  return o.str();
}

std::string FindingLine(const Finding& f) {
  return "!! FINDING [" + std::string(RiskLevelDisplayName(f.risk_level)) + "] " + f.rule_id +
         ": " + f.title + " - " + Shorten(f.description, 300);
}

void AddWatch(CLI::App& events, CommandAction* action) {
  struct Opts {
    std::string format;
    std::vector<std::string> rules;
    std::vector<std::string> watch_paths;
    bool no_ebpf = false;
    bool no_syscall_events = false;
    std::string syscall_events = "hooks";
    bool findings_only = false;
    bool no_journal = false;
    double duration = 0;
    uint64_t journal_mb = EventJournalWriter::kDefaultCapacity >> 20;
    std::string journal;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* cmd =
      events
          .add_subcommand(
              "watch",
              "Run the host event collector in the foreground and stream events and findings")
          ->footer(
              "Examples:\n"
              "  warden events watch\n"
              "  warden events watch --format jsonl --findings-only | tee findings.jsonl\n"
              "  warden events watch --rules my-host-rules.yaml --duration 60\n"
              "While it runs, `warden query \"SELECT * FROM bpf_process_events WHERE time > "
              "...\"`\n"
              "sees the events it stored.");
  cmd->add_option("-f,--format", opts->format,
                  "jsonl or table (default: table on a terminal, jsonl when piped)")
      ->check(CLI::IsMember({"jsonl", "table"}));
  cmd->add_option(
      "--rules", opts->rules,
      "Extra host rule file or directory; a rule with a built-in id replaces it (repeatable)");
  cmd->add_flag("--findings-only", opts->findings_only, "Print findings only, not every event");
  cmd->add_flag("--no-ebpf", opts->no_ebpf,
                "Do not use eBPF: run the fallback tier (also WARDEN_EBPF=off)");
  cmd->add_option(
         "--syscall-events", opts->syscall_events,
         "eBPF: how socket calls, set*id and sensitive opens are seen: hooks (socket hooks and "
         "fanotify; nothing runs on other syscalls), dispatcher (one sys_exit tracepoint: exact "
         "syscalls and return values, every syscall on the host slower), off (exec/fork/exit only)")
      ->check(CLI::IsMember({"hooks", "dispatcher", "off"}));
  cmd->add_flag("--no-syscall-events", opts->no_syscall_events, "Same as --syscall-events off");
  cmd->add_option("--duration", opts->duration,
                  "Stop after this many seconds (default: until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option(
      "--watch-path", opts->watch_paths,
      "Sensitive path prefix whose opens are reported (repeatable; replaces the defaults)");
  cmd->add_option("--journal", opts->journal,
                  "Event journal file (default: " + DefaultEventJournalPath() + ")");
  cmd->add_option("--journal-mb", opts->journal_mb, "Size of the event journal ring in MiB")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--no-journal", opts->no_journal, "Do not store events for the event tables");
  cmd->callback([opts, action]() {
    *action = [opts]() -> int {
      bool jsonl = opts->format.empty() ? !isatty(STDOUT_FILENO) : opts->format == "jsonl";
      HostEventPipelineOptions po;
      ApplyEnvironment(&po.collector);
      if (opts->no_ebpf) po.collector.allow_ebpf = false;
      po.collector.syscall_events =
          opts->no_syscall_events
              ? SyscallEventMode::kOff
              : ParseSyscallEventMode(opts->syscall_events).value_or(SyscallEventMode::kHooks);
      if (!opts->watch_paths.empty()) po.collector.sensitive_prefixes = opts->watch_paths;
      po.rule_paths = opts->rules;
      po.persist = !opts->no_journal;
      po.journal_path = opts->journal;
      po.journal_bytes = opts->journal_mb << 20;
      InstallStopHandlers();
      auto pipeline = HostEventPipeline::Start(po);
      if (!pipeline.ok()) return ReportError(pipeline.status());
      CollectorStatus status = (*pipeline)->SourceStatus();
      std::cerr << "warden: watching host events (tier " << status.tier << ": "
                << status.tier_detail << "; "
                << ((*pipeline)->rules() ? (*pipeline)->rules()->rule_count() : 0)
                << " rules); Ctrl-C to stop" << std::endl;
      if (status.tier == "fallback")
        std::cerr << "warden: REDUCED COVERAGE - see `warden events status` for what this tier "
                     "does not see"
                  << std::endl;
      if (!(*pipeline)->journal_note().empty())
        std::cerr << "warden: " << (*pipeline)->journal_note() << std::endl;
      // On a terminal each line is cut to its width (--wide: whole lines).
      std::optional<StdoutLineFit> fit;
      if (!jsonl) fit.emplace();
      if (!jsonl && !opts->findings_only)
        std::cout << "TIME          EVENT       PROCESS  DETAIL  [PARENT < GRANDPARENT ...]"
                  << std::endl;

      std::string line;
      auto on_event = [&](const HostEvent& e, const EventView& v) {
        if (opts->findings_only) return;
        if (jsonl) {
          line.clear();
          RenderHostEventJson(v, &line);
          std::cout << Tagged("event", line) << '\n';
        } else {
          std::cout << EventLine(e, v) << '\n';
        }
      };
      auto on_finding = [&](const Finding& f) {
        if (jsonl)
          std::cout << Tagged("finding", FindingToJson(f).dump()) << '\n';
        else
          std::cout << FindingLine(f) << '\n';
      };
      auto deadline = std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(static_cast<int64_t>(opts->duration * 1000));
      int exit_code = 0;
      while (!g_stop) {
        if (opts->duration > 0 && std::chrono::steady_clock::now() >= deadline) break;
        Status st = (*pipeline)->Poll(std::chrono::milliseconds(250), on_event, on_finding);
        std::cout.flush();
        if (!st.ok()) {
          exit_code = ReportError(st);
          break;
        }
      }
      // Deliver what is still buffered before detaching.
      (void)(*pipeline)->Poll(std::chrono::milliseconds(0), on_event, on_finding);
      std::cout.flush();
      fit.reset();
      Json final_status = (*pipeline)->StatusJson();
      (*pipeline)->Stop();
      std::cerr << "warden: stopped; " << final_status.value("events_processed", uint64_t{0})
                << " events, " << final_status.value("findings", uint64_t{0}) << " findings, "
                << final_status.value("drops_total", uint64_t{0}) << " dropped" << std::endl;
      return exit_code;
    };
  });
}

// The status a collector would report here, from a short trial (the hooks
// are attached and detached again).
Result<Json> TrialStatus(bool no_ebpf) {
  HostEventPipelineOptions po;
  ApplyEnvironment(&po.collector);
  if (no_ebpf) po.collector.allow_ebpf = false;
  po.persist = false;
  po.evaluate_rules = false;
  po.snapshot = false;
  ASSIGN_OR_RETURN(auto pipeline, HostEventPipeline::Start(po));
  Json j = pipeline->StatusJson();
  j.erase("journal");
  j.erase("process_table");
  j.erase("findings");
  j.erase("rules");
  j["collector"] = Json{{"running", false}};
  return j;
}

void AddStatus(CLI::App& events, CommandAction* action) {
  struct Opts {
    std::string format;
    bool no_ebpf = false;
    std::string journal;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* cmd =
      events.add_subcommand("status", "Show the collector's tier, hooks, event and drop counters")
          ->footer(
              "Examples:\n"
              "  warden events status\n"
              "  warden events status --format json\n"
              "  WARDEN_EBPF=off warden events status   # what the fallback covers");
  cmd->add_option("-f,--format", opts->format,
                  "table or json (default: table on a terminal, json when piped)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--no-ebpf", opts->no_ebpf, "Describe the fallback tier (also WARDEN_EBPF=off)");
  cmd->add_option(
      "--journal", opts->journal,
      "Event journal of the collector to ask (default: " + DefaultEventJournalPath() + ")");
  cmd->callback([opts, action]() {
    *action = [opts]() -> int {
      bool json = opts->format.empty() ? !isatty(STDOUT_FILENO) : opts->format == "json";
      CollectorOptions env;
      ApplyEnvironment(&env);
      bool forced_fallback = opts->no_ebpf || !env.allow_ebpf;
      std::string journal = opts->journal.empty() ? DefaultEventJournalPath() : opts->journal;
      Json status;
      std::string preface;
      auto live = ReadCollectorStatus(journal);
      if (!forced_fallback && live.ok() && (*live)["collector"].value("running", false)) {
        status = std::move(*live);
      } else {
        auto trial = TrialStatus(forced_fallback);
        if (!trial.ok()) return ReportError(trial.status());
        status = std::move(*trial);
        preface =
            "No collector is running (start one with `warden events watch`). On this host a "
            "collector "
            "would use:\n";
        if (live.ok()) {
          const Json& c = (*live)["collector"];
          status["last_collector"] = Json{{"pid", c.value("pid", int64_t{0})},
                                          {"updated", c.value("updated", std::string())},
                                          {"events", live->value("events_processed", uint64_t{0})},
                                          {"drops_total", live->value("drops_total", uint64_t{0})}};
        }
      }
      if (json) {
        std::cout << status.dump(2) << std::endl;
      } else {
        std::cout << preface << FormatCollectorStatus(status);
        if (status.contains("last_collector")) {
          const Json& l = status["last_collector"];
          std::cout << "Last collector: pid " << l.value("pid", int64_t{0}) << ", last update "
                    << l.value("updated", std::string()) << ", " << l.value("events", uint64_t{0})
                    << " events, " << l.value("drops_total", uint64_t{0}) << " dropped\n";
        }
      }
      return 0;
    };
  });
}

void AddRules(CLI::App& events, CommandAction* action) {
  struct Opts {
    std::string format;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* cmd = events.add_subcommand("rules", "Print the built-in host rule catalog")
                      ->footer(
                          "Examples:\n"
                          "  warden events rules > host-rules.yaml   # edit, then: warden events "
                          "watch --rules host-rules.yaml\n"
                          "  warden events rules --format table");
  cmd->add_option("-f,--format", opts->format, "yaml or table (default: yaml)")
      ->check(CLI::IsMember({"yaml", "table"}));
  cmd->callback([opts, action]() {
    *action = [opts]() -> int {
      if (opts->format != "table") {
        std::cout << kDefaultHostRulesYaml.substr(1);
        return 0;
      }
      auto engine = HostRuleEngine::Create({});
      if (!engine.ok()) return ReportError(engine.status());
      auto printer = MakeRowPrinter(OutputFormat::kTable, std::cout,
                                    StdoutTableFit({{"id", 3}, {"title", 1, 20}, {"mitre", -1}}));
      printer->Begin({"id", "risk_level", "mitre", "title"});
      for (const Rule& r : (*engine)->rules()) {
        std::string mitre;
        for (const std::string& t : r.tags) {
          std::string id = MitreTechniqueFromTag(t);
          if (!id.empty()) mitre += (mitre.empty() ? "" : ",") + id;
        }
        printer->Row({r.id, std::string(RiskLevelName(r.risk_level)), mitre, r.title});
      }
      printer->End();
      return 0;
    };
  });
}

}  // namespace

void AddEventsCommand(CLI::App& app, CommandAction* action) {
  CLI::App* events =
      app.add_subcommand("events",
                         "Runtime host events from the kernel (eBPF): exec, network, set*id, opens")
          ->footer(
              "Examples:\n"
              "  warden events watch\n"
              "  warden events status\n"
              "  warden events rules");
  events->require_subcommand(1);
  AddWatch(*events, action);
  AddStatus(*events, action);
  AddRules(*events, action);
}

}  // namespace warden

// `warden trail`: CloudTrail (and OCI Audit) detection from the command line.
//   trail scan INPUT...     rules over CloudTrail or OCI Audit files, directories or stdin
//   trail watch DIR...      the same, following new files as they land
//   trail iam-check         canary health and key hygiene from IAM snapshots
//   trail notify-test       send a test record to the configured sinks
// Findings go to stdout (table on a terminal, JSON lines when piped), the
// summary and problems to stderr. Exit codes: 0 done (findings or not), 1
// findings at or above --fail-on, 2 usage or input error (bad rules, missing
// input, bad profile, a named input that could not be read: the others are
// still scanned), 130 / 143 a scan stopped by SIGINT / SIGTERM before the end
// of its inputs (the summary still prints; `watch` and `--follow` end with 0).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <vector>

#include "cli/stop_signals.h"
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "cloud/builtin_catalog.h"
#include "cloud/cloudtrail_reader.h"
#include "cloud/finding_writer.h"
#include "cloud/iam_check.h"
#include "cloud/trail_profile.h"
#include "cloud/trail_scanner.h"
#include "core/time_format.h"
#include "delivery/notifier.h"
#include "rules/rule_yaml_loader.h"

namespace warden {

namespace {

// "1 user", "2 users": counts in summaries read as sentences.
std::string Counted(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// --max-record-mb: a record is buffered whole, so this bounds memory too.
constexpr size_t kMaxRecordMb = 4096;

// Problems (bad records, unreadable files) on stderr, capped so a broken
// directory cannot drown the terminal; the summary gives the totals.
class ProblemPrinter {
 public:
  explicit ProblemPrinter(size_t limit = 20) : limit_(limit) {}
  void operator()(const std::string& message) {
    if (++count_ <= limit_) std::cerr << "warden: " << message << "\n";
  }
  void Finish() const {
    if (count_ > limit_) std::cerr << "warden: ... and " << (count_ - limit_) << " more problems\n";
  }

 private:
  size_t limit_, count_ = 0;
};

struct RuleOptions {
  std::vector<std::string> rule_paths;
  bool builtin = false;
  std::string profile_path;
};

void AddRuleOptions(CLI::App* cmd, RuleOptions* o) {
  cmd->add_option(
      "-r,--rules", o->rule_paths,
      "Rule file or directory (Warden YAML or Sigma); repeatable. Without it the built-in "
      "catalog runs");
  cmd->add_flag("--builtin", o->builtin, "Also load the built-in catalog when --rules is given");
  cmd->add_option("-p,--profile", o->profile_path,
                  "Profile: per-rule settings by organisation and account, suppressions");
}

// The catalog and/or rule files; a rule file's rule replaces a catalog rule
// with the same id (that is how RTM-011 and IAM-055 get their values).
Result<std::vector<Rule>> LoadRuleSet(const RuleOptions& o, bool quiet) {
  std::vector<Rule> rules;
  if (o.rule_paths.empty() || o.builtin) {
    ASSIGN_OR_RETURN(rules, LoadBuiltinCatalog());
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rules.size(); ++i) index[rules[i].id] = i;
  std::vector<Rule> from_files;
  for (const std::string& path : o.rule_paths) {
    RuleLoadResult loaded = LoadRulesFromPath(path);
    RETURN_IF_ERROR(loaded.FirstError());
    if (!quiet)
      for (const RuleDiagnostic& d : loaded.diagnostics)
        std::cerr << "warden: " << d.ToString() << "\n";
    for (Rule& r : loaded.rules) from_files.push_back(std::move(r));
  }
  std::map<std::string, const Rule*> seen;
  for (Rule& r : from_files) {
    if (auto s = seen.find(r.id); s != seen.end())
      return InvalidArgument(r.location.ToString() + ": rule " + r.id +
                             ": duplicate rule id (first defined at " +
                             s->second->location.ToString() + ")");
    seen[r.id] = &r;
  }
  for (Rule& r : from_files) {
    if (auto it = index.find(r.id); it != index.end()) {
      rules[it->second] = std::move(r);
    } else {
      index[r.id] = rules.size();
      rules.push_back(std::move(r));
    }
  }
  if (rules.empty()) return InvalidArgument("no rules loaded");
  return rules;
}

Result<std::optional<TrailProfile>> LoadProfile(const std::string& path) {
  if (path.empty()) return std::optional<TrailProfile>();
  ASSIGN_OR_RETURN(TrailProfile p, TrailProfile::Load(path));
  return std::optional<TrailProfile>(std::move(p));
}

Result<FindingFormat> ResolveFormat(const std::string& name) {
  std::string n = name.empty() ? (isatty(STDOUT_FILENO) ? "table" : "jsonl") : name;
  auto f = ParseFindingFormat(n);
  if (!f)
    return InvalidArgument("--format: unknown format '" + n + "' (use table, jsonl, json or ocsf)");
  return *f;
}

Result<std::optional<RiskLevel>> ParseLevelOption(const std::string& flag,
                                                  const std::string& text) {
  if (text.empty()) return std::optional<RiskLevel>();
  auto level = ParseRiskLevel(text);
  if (!level) return InvalidArgument(flag + ": " + UnknownRiskLevelMessage(text));
  return std::optional<RiskLevel>(*level);
}

// Notification sinks from flags and environment.
struct NotifyOptions {
  std::string slack_url;
  std::string webhook_url;
  std::string webhook_secret_env = "WARDEN_WEBHOOK_SECRET";
  std::string min_risk = "high";
  int max_per_run = 100;
  bool fail_on_error = false;
};

void AddNotifyOptions(CLI::App* cmd, NotifyOptions* o) {
  cmd->add_option("--slack-webhook", o->slack_url,
                  "Slack incoming webhook URL (or set WARDEN_SLACK_WEBHOOK)");
  cmd->add_option("--webhook", o->webhook_url,
                  "Generic webhook URL; findings are POSTed as JSON signed with HMAC-SHA256");
  cmd->add_option(
      "--webhook-secret-env", o->webhook_secret_env,
      "Environment variable holding the webhook signing secret (default WARDEN_WEBHOOK_SECRET)");
  cmd->add_option("--notify-min-risk", o->min_risk,
                  "Notify findings at or above this risk (default high)");
  cmd->add_option("--notify-max", o->max_per_run,
                  "Notify at most this many findings per run; the rest are counted (default 100)");
  cmd->add_flag("--fail-on-notify-error", o->fail_on_error,
                "Exit 3 when a notification could not be delivered");
}

// The notifier for the flags: sinks and secrets from the environment.
Result<Notifier> MakeNotifier(const NotifyOptions& o) {
  ASSIGN_OR_RETURN(auto level, ParseLevelOption("--notify-min-risk", o.min_risk));
  NotifierOptions options;
  options.slack_url = o.slack_url;
  options.webhook_url = o.webhook_url;
  options.webhook_secret_env = o.webhook_secret_env;
  options.min_risk = level.value_or(RiskLevel::kLow);
  options.max_per_run = o.max_per_run;
  return Notifier::Create(
      options, [](const std::string& message) { std::cerr << "warden: " << message << "\n"; });
}

// "notifications: 3 findings; slack 3 delivered; webhook 0 delivered, 3
// failed (last error: ...)". Delivered means acknowledged by the receiver.
void PrintNotifierSummary(const Notifier& notifier) {
  if (notifier.empty()) return;
  const NotifierStats& s = notifier.stats();
  std::cerr << "warden: notifications: " << s.findings
            << (s.findings == 1 ? " finding" : " findings");
  if (s.dropped) std::cerr << " (+" << s.dropped << " over --notify-max not sent)";
  for (const SinkNotifyStats& sink : s.sinks) {
    std::cerr << "; " << sink.sink << " " << sink.delivered << " delivered";
    if (sink.failed)
      std::cerr << ", " << sink.failed << " failed (last error: " << sink.last_error << ")";
  }
  std::cerr << "\n";
}

struct ScanOptionsCli {
  RuleOptions rules;
  NotifyOptions notify;
  std::vector<std::string> inputs;
  std::string format;
  std::string fail_on;
  bool show_suppressed = false;
  bool follow = false;
  bool quiet = false;
  bool from_start = false;
  double interval_seconds = 2;
  double duration_seconds = 0;
  size_t max_record_mb = 64;
  std::string provider = "auto";
};

int RunScan(const ScanOptionsCli& o, bool watch) {
  auto format = ResolveFormat(o.format);
  if (!format.ok()) return ReportError(format.status());
  auto fail_on = ParseLevelOption("--fail-on", o.fail_on);
  if (!fail_on.ok()) return ReportError(fail_on.status());
  auto rules = LoadRuleSet(o.rules, o.quiet);
  if (!rules.ok()) return ReportError(rules.status());
  auto profile = LoadProfile(o.rules.profile_path);
  if (!profile.ok()) return ReportError(profile.status());
  auto notifier = MakeNotifier(o.notify);
  if (!notifier.ok()) return ReportError(notifier.status());
  for (const std::string& in : o.inputs) {
    if (in == "-") continue;
    if (access(in.c_str(), F_OK) != 0)
      return ReportError(NotFound(in + ": no such file or directory"));
  }
  const TrailProfile* prof = profile->has_value() ? &**profile : nullptr;
  if (prof && !o.quiet) {
    for (const std::string& id : prof->UnknownRuleIds(*rules))
      std::cerr << "warden: warning: profile names rule " << id << ", which is not loaded\n";
    for (const Suppression* s : prof->Expired(NowEpochSeconds()))
      std::cerr << "warden: warning: " << s->location.ToString() << ": suppression of " << s->rule
                << " expired on " << FormatRfc3339(*s->expires) << " and no longer applies\n";
  }

  TrailScanner::Options so;
  so.show_suppressed = o.show_suppressed;
  if (o.provider == "oci")
    so.provider = ProviderMode::kOci;
  else if (o.provider == "aws")
    so.provider = ProviderMode::kAws;
  else if (o.provider != "auto")
    return ReportError(InvalidArgument("--provider: '" + o.provider +
                                       "' is not a provider (use auto, aws or oci)"));
  so.ocsf = *format == FindingFormat::kOcsf;
  auto scanner = TrailScanner::Create(std::move(rules).value(), prof, so);
  if (!scanner.ok()) return ReportError(scanner.status());
  TrailScanner& sc = **scanner;
  if (sc.enabled_rules() == 0)
    std::cerr << "warden: warning: every loaded rule is disabled; enable some in a profile or rule "
                 "file\n";

  FindingWriter writer(*format, std::cout, StdoutFitWidth());
  ProblemPrinter problems;
  bool failed_threshold = false;
  sc.set_on_problem([&](const std::string& m) { problems(m); });
  sc.set_on_finding([&](Finding&& f, bool suppressed) {
    writer.Write(f);
    if (suppressed) return;
    if (*fail_on && f.risk_level >= **fail_on) failed_threshold = true;
    notifier->Notify(f);
  });
  CloudTrailReader reader(
      [&](const SplitRecord& r, const RecordOrigin& origin) { sc.ProcessRecord(r, origin); },
      [&](const std::string& m) { problems(m); }, o.max_record_mb << 20);
  reader.set_stop([] { return StopRequested(); });

  InstallStopHandlers();
  const auto start = std::chrono::steady_clock::now();
  // A named input that cannot be read is reported once and the others are
  // still scanned; the exit code then says the scan was incomplete.
  bool input_error = false;
  bool interrupted = false;
  if (!watch) {
    for (const std::string& in : o.inputs) {
      if (StopRequested()) break;
      Status st = reader.ReadPath(in);
      if (!st.ok()) {
        std::cerr << "warden: " << st.message() << "\n";
        input_error = true;
      }
    }
    interrupted = StopRequested();
    writer.Flush();
  }
  if ((watch || o.follow) && !interrupted) {
    CloudTrailReader::FollowOptions fo;
    fo.interval = std::chrono::milliseconds(static_cast<int64_t>(o.interval_seconds * 1000));
    fo.read_existing = watch && o.from_start;
    fo.duration = std::chrono::seconds(static_cast<int64_t>(o.duration_seconds));
    std::vector<std::string> dirs;
    for (const std::string& in : o.inputs)
      if (in != "-") dirs.push_back(in);
    if (!o.quiet)
      std::cerr << "warden: watching " << dirs.size()
                << " path(s) for new CloudTrail files (Ctrl-C stops)\n";
    (void)reader.Follow(
        dirs, fo, [] { return StopRequested(); }, [&] { writer.Flush(); });
  }
  writer.Finish();
  problems.Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!o.quiet) {
    const InputStats& in = reader.stats();
    const ScanStats& st = sc.stats();
    char time_buf[32];
    std::snprintf(time_buf, sizeof time_buf, "%.2f", seconds);
    std::cerr << "warden: " << in.files << " files, " << st.events << " events";
    if (st.oci_events) std::cerr << " (" << st.oci_events << " OCI Audit)";
    std::cerr << ", " << st.findings << " findings";
    if (st.suppressed) std::cerr << " (+" << st.suppressed << " suppressed)";
    std::cerr << " from " << sc.enabled_rules() << " rules in " << time_buf << " s";
    if (in.digest_files_skipped || in.insight_files_skipped || in.digest_records)
      std::cerr << "; skipped " << in.digest_files_skipped + in.digest_records << " digest and "
                << in.insight_files_skipped << " insight files";
    if (st.insight_events) std::cerr << ", " << st.insight_events << " insight events";
    uint64_t bad = in.bad_records + st.bad_records;
    if (bad) std::cerr << "; " << bad << " bad records skipped";
    if (in.failed_files) std::cerr << "; " << in.failed_files << " files damaged or unreadable";
    if (in.unreadable_directories)
      std::cerr << "; " << in.unreadable_directories << " directories unreadable (skipped)";
    if (st.deep_records)
      std::cerr << "; " << st.deep_records << " matching records nested over " << kMaxEvidenceDepth
                << " levels (evidence kept as text)";
    if (interrupted)
      std::cerr << "; stopped by " << StopSignalName(StopSignal())
                << " before the end of the input";
    std::cerr << "\n";
    for (const RegexLimitReport& r : sc.RegexLimitReports())
      std::cerr << "warden: rule " << r.rule_id << ": regex '" << r.pattern
                << "' hit its backtracking limit on " << r.count
                << " events (treated as no match); simplify it (`warden rules lint`)\n";
    PrintNotifierSummary(*notifier);
  }
  if (failed_threshold) return 1;
  if (o.notify.fail_on_error && notifier->stats().failed() > 0) return 3;
  if (interrupted) return 128 + StopSignal();
  return input_error ? 2 : 0;
}

int RunIamCheck(const RuleOptions& ro, const std::string& details, const std::string& report,
                const std::string& keys, const std::vector<std::string>& canary_users,
                const std::vector<std::string>& canary_keys, int max_age,
                const std::string& format_name, const std::string& fail_on_text) {
  auto format = ResolveFormat(format_name);
  if (!format.ok()) return ReportError(format.status());
  auto fail_on = ParseLevelOption("--fail-on", fail_on_text);
  if (!fail_on.ok()) return ReportError(fail_on.status());
  if (details.empty() && report.empty() && keys.empty())
    return ReportError(
        InvalidArgument("give --authorization-details, --credential-report and/or --access-keys "
                        "(see warden trail iam-check --help)"));
  IamSnapshot snapshot;
  // Snapshots are parsed whole: bounded, so /dev/zero or a wrong file fails
  // with the limit instead of filling memory.
  auto read = [](const std::string& path) -> Result<std::string> {
    constexpr size_t kMaxSnapshotBytes = 256u << 20;
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFound(path + ": cannot read");
    std::string text;
    std::vector<char> chunk(1 << 20);
    while (in) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      text.append(chunk.data(), static_cast<size_t>(in.gcount()));
      if (text.size() > kMaxSnapshotBytes)
        return InvalidArgument(path + ": larger than the limit of " +
                               std::to_string(kMaxSnapshotBytes) + " bytes for an IAM snapshot");
    }
    if (in.bad()) return IoError(path + ": read failed");
    return text;
  };
  struct Input {
    const std::string* path;
    Status (IamSnapshot::*add)(const std::string&, const std::string&);
  };
  for (const Input& i : {Input{&details, &IamSnapshot::AddAuthorizationDetails},
                         Input{&report, &IamSnapshot::AddCredentialReport},
                         Input{&keys, &IamSnapshot::AddAccessKeyList}}) {
    if (i.path->empty()) continue;
    auto text = read(*i.path);
    if (!text.ok()) return ReportError(text.status());
    Status st = (snapshot.*i.add)(*text, *i.path);
    if (!st.ok()) return ReportError(st);
  }
  // Canary identities: enabled canary rules (after the profile, for this
  // snapshot's account) plus the flags.
  RuleOptions with_catalog = ro;
  with_catalog.builtin = true;
  auto rules = LoadRuleSet(with_catalog, false);
  if (!rules.ok()) return ReportError(rules.status());
  auto profile = LoadProfile(ro.profile_path);
  if (!profile.ok()) return ReportError(profile.status());
  std::vector<Rule> resolved =
      profile->has_value() ? (*profile)->Resolve(*rules, snapshot.account) : *rules;
  IamCheckOptions options;
  options.key_max_age_days = max_age;
  for (const Rule& r : resolved) {
    // OCI canary principals are not IAM users.
    if (!r.enabled || !r.canary || r.provider != EventProvider::kAws) continue;
    for (const auto& u : r.canary->users) options.canaries.users.push_back(u);
    for (const auto& k : r.canary->access_keys) options.canaries.access_keys.push_back(k);
  }
  for (const auto& u : canary_users) options.canaries.users.push_back(u);
  for (const auto& k : canary_keys) options.canaries.access_keys.push_back(k);

  IamCheckResult result = CheckIam(snapshot, options);
  FindingWriter writer(*format, std::cout, StdoutFitWidth());
  bool failed = false;
  for (const Finding& f : result.findings) {
    writer.Write(f);
    if (*fail_on && f.risk_level >= **fail_on) failed = true;
  }
  writer.Finish();
  for (const std::string& note : result.notes) std::cerr << "warden: note: " << note << "\n";
  std::cerr << "warden: account " << (snapshot.account.empty() ? "?" : snapshot.account) << ": "
            << Counted(snapshot.users.size(), "user")
            << "; canaries checked: " << result.canary_users_checked << " of "
            << Counted(options.canaries.users.size(), "user") << ", " << result.canary_keys_checked
            << " of " << Counted(options.canaries.access_keys.size(), "key id") << "; "
            << Counted(result.findings.size(), "finding") << "\n";
  return failed ? 1 : 0;
}

}  // namespace

void AddTrailCommand(CLI::App& app, CommandAction* action) {
  CLI::App* trail =
      app.add_subcommand("trail",
                         "CloudTrail detection: scan logs, watch for new ones, check canaries")
          ->require_subcommand(1)
          ->footer(
              "Examples:\n"
              "  warden trail scan AWSLogs/                       # built-in catalog\n"
              "  warden trail scan --rules rtm.yaml --builtin -f jsonl logs/*.json.gz\n"
              "  warden trail watch --profile acme.yaml /data/cloudtrail\n"
              "  warden trail iam-check --credential-report report.csv --canary-user canary-user");

  // scan and watch share their options.
  auto add_scan_like = [&](const std::string& name, bool watch) {
    auto o = std::make_shared<ScanOptionsCli>();
    CLI::App* cmd = trail->add_subcommand(
        name, watch ? "Follow directories and run rules on new CloudTrail files as they land"
                    : "Run rules over CloudTrail files, directories (S3 layout) or stdin (-)");
    cmd->footer(
        watch ? "Examples:\n"
                "  warden trail watch /data/AWSLogs\n"
                "  warden trail watch --profile acme.yaml --slack-webhook $URL /data/AWSLogs\n"
                "  warden trail watch --from-start --duration 60 -f jsonl ./logs"
              : "Examples:\n"
                "  warden trail scan AWSLogs/123456789012/CloudTrail/\n"
                "  warden trail scan --rules rtm.yaml -f jsonl events.json.gz\n"
                "  zcat *.json.gz | warden trail scan --builtin --rules sigma/ -\n"
                "  warden trail scan --profile acme.yaml --fail-on high logs/");
    AddRuleOptions(cmd, &o->rules);
    AddNotifyOptions(cmd, &o->notify);
    AddFormatOption(*cmd, &o->format, "table|jsonl|json|ocsf");
    cmd->get_option("--format")
        ->description(
            "Output format: table|jsonl|json|ocsf (default: table on a terminal, jsonl when "
            "piped)");
    cmd->add_option("inputs", o->inputs,
                    watch ? "Directories or files to watch" : "Files, directories, or - for stdin")
        ->required();
    cmd->add_option("--fail-on", o->fail_on,
                    "Exit 1 when a finding is at or above this risk level");
    cmd->add_flag("--show-suppressed", o->show_suppressed,
                  "Also print suppressed findings (marked)");
    cmd->add_flag("-q,--quiet", o->quiet, "No summary on stderr");
    cmd->add_option("--provider", o->provider,
                    "Whose audit events the inputs hold: auto (CloudTrail and OCI Audit told "
                    "apart by their envelope), aws or oci (default auto)");
    cmd->add_option("--max-record-mb", o->max_record_mb,
                    "Skip records larger than this many MiB, 1 to 4096 (default 64)")
        ->check(CLI::Range(size_t{1}, kMaxRecordMb));
    if (watch) {
      cmd->add_flag("--from-start", o->from_start, "Also scan the files already present");
      cmd->add_option("--interval", o->interval_seconds, "Seconds between polls (default 2)")
          ->check(CLI::PositiveNumber);
      cmd->add_option("--duration", o->duration_seconds,
                      "Stop after this many seconds (default: until Ctrl-C)");
    } else {
      cmd->add_flag("--follow", o->follow,
                    "After scanning, keep watching the inputs for new files");
      cmd->add_option("--interval", o->interval_seconds,
                      "With --follow: seconds between polls (default 2)")
          ->check(CLI::PositiveNumber);
      cmd->add_option("--duration", o->duration_seconds,
                      "With --follow: stop after this many seconds");
    }
    cmd->callback([o, action, watch]() { *action = [o, watch]() { return RunScan(*o, watch); }; });
  };
  add_scan_like("scan", false);
  add_scan_like("watch", true);

  {
    struct IamOpts {
      RuleOptions rules;
      std::string details, report, keys, format, fail_on;
      std::vector<std::string> canary_users, canary_keys;
      int max_age = 90;
    };
    auto o = std::make_shared<IamOpts>();
    CLI::App* cmd =
        trail
            ->add_subcommand("iam-check",
                             "Check canary users and access-key hygiene from IAM snapshots")
            ->footer(
                "Examples:\n"
                "  aws iam get-account-authorization-details > auth.json\n"
                "  aws iam generate-credential-report; aws iam get-credential-report > "
                "report.json\n"
                "  warden trail iam-check --authorization-details auth.json \\\n"
                "      --credential-report report.json --canary-user canary-user\n"
                "  warden trail iam-check --profile acme.yaml --credential-report report.csv");
    cmd->add_option("--authorization-details", o->details,
                    "JSON of `aws iam get-account-authorization-details`");
    cmd->add_option("--credential-report", o->report,
                    "`aws iam get-credential-report` JSON, or the decoded CSV");
    cmd->add_option("--access-keys", o->keys,
                    "JSON of `aws iam list-access-keys` (checks canary key ids)");
    cmd->add_option("--canary-user", o->canary_users, "Canary IAM user name; repeatable");
    cmd->add_option("--canary-key", o->canary_keys, "Canary access key id; repeatable");
    cmd->add_option("--key-max-age-days", o->max_age,
                    "Flag active keys older than this (default 90)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--fail-on", o->fail_on,
                    "Exit 1 when a finding is at or above this risk level");
    AddRuleOptions(cmd, &o->rules);
    AddFormatOption(*cmd, &o->format, "table|jsonl|json|ocsf");
    cmd->get_option("--format")
        ->description(
            "Output format: table|jsonl|json|ocsf (default: table on a terminal, jsonl when "
            "piped)");
    cmd->callback([o, action]() {
      *action = [o]() {
        return RunIamCheck(o->rules, o->details, o->report, o->keys, o->canary_users,
                           o->canary_keys, o->max_age, o->format, o->fail_on);
      };
    });
  }
  {
    auto o = std::make_shared<NotifyOptions>();
    CLI::App* cmd =
        trail
            ->add_subcommand("notify-test",
                             "Send a test record to the configured notification sinks")
            ->footer(
                "Examples:\n"
                "  warden trail notify-test --slack-webhook https://hooks.slack.com/services/...\n"
                "  WARDEN_WEBHOOK_SECRET=... warden trail notify-test --webhook https://siem/hook");
    AddNotifyOptions(cmd, o.get());
    cmd->callback([o, action]() {
      *action = [o]() {
        NotifyOptions opts = *o;
        opts.min_risk = "low";
        auto n = MakeNotifier(opts);
        if (!n.ok()) return ReportError(n.status());
        Status st = n->SendTest([](const std::string& sink) {
          std::cerr << "warden: test record delivered to " << sink << "\n";
        });
        return st.ok() ? 0 : ReportError(st);
      };
    });
  }
}

}  // namespace warden

// `warden rules`: work on rule files before they run.
//   rules test RULE_FILE --events INPUT...  dry run: per rule and per pattern
//                                           row, how many events match, with
//                                           examples (disabled rules included)
//   rules lint PATH...                      schema, regex errors with
//                                           line:column, and warnings; each
//                                           rule against the fields of its
//                                           source (CloudTrail or host events)
//   rules list [PATH...]                    the rules of files, or the built-in
//                                           catalogs: id, risk, what they need
//                                           (after --profile), with a count of
//                                           rules that need configuration
// Exit codes: test 0 (2 on bad rules or input); lint 0 clean (warnings
// allowed unless --strict), 1 problems found, 2 usage error.
#include <unistd.h>

#include <iostream>
#include <map>

#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "cloud/builtin_catalog.h"
#include "cloud/cloudtrail_reader.h"
#include "cloud/rule_configuration.h"
#include "cloud/trail_profile.h"
#include "cloud/trail_scanner.h"
#include "core/output_format.h"
#include "ebpf/host_event_fields.h"
#include "ebpf/host_rules.h"
#include "rules/rule_linter.h"
#include "rules/rule_yaml_loader.h"

namespace warden {

namespace {

struct Example {
  std::string event_id, event_time, event_name, event_source, actor;
};

struct Tally {
  uint64_t matches = 0;
  std::vector<Example> examples;
};

std::string RowText(const PatternRow& row) {
  auto quote = [](const std::optional<std::string>& v) {
    return v ? "'" + *v + "'" : std::string("(any)");
  };
  return "{eventName: " + quote(row.event_name) + ", eventSource: " + quote(row.event_source) +
         ", userIdentityType: " + quote(row.user_identity_type) + "}";
}

int RunRulesTest(const std::string& rule_file, const std::vector<std::string>& events,
                 const std::string& profile_path, const std::string& format_name,
                 int max_examples) {
  std::string format =
      format_name.empty() ? (isatty(STDOUT_FILENO) ? "table" : "json") : format_name;
  if (format != "table" && format != "json")
    return ReportError(InvalidArgument("--format: use table or json"));
  RuleLoadResult loaded = LoadRulesFromPath(rule_file);
  Status st = loaded.FirstError();
  if (!st.ok()) return ReportError(st);
  if (loaded.rules.empty()) return ReportError(InvalidArgument(rule_file + ": no rules"));
  std::optional<TrailProfile> profile;
  if (!profile_path.empty()) {
    auto p = TrailProfile::Load(profile_path);
    if (!p.ok()) return ReportError(p.status());
    profile = std::move(*p);
  }
  for (const std::string& in : events)
    if (in != "-" && access(in.c_str(), F_OK) != 0)
      return ReportError(NotFound(in + ": no such file or directory"));

  TrailScanner::Options so;
  so.dry_run = true;
  so.build_findings = false;
  auto scanner = TrailScanner::Create(loaded.rules, profile ? &*profile : nullptr, so);
  if (!scanner.ok()) return ReportError(scanner.status());
  TrailScanner& sc = **scanner;
  const std::vector<Rule>& rules = sc.rules();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rules.size(); ++i) index[rules[i].id] = i;
  std::vector<Tally> by_rule(rules.size());
  std::vector<std::vector<Tally>> by_row(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) by_row[i].resize(rules[i].patterns.size());

  sc.set_on_match([&](const ScanMatch& m) {
    auto it = index.find(m.rule->id);
    if (it == index.end()) return;
    auto example = [&] {
      const CloudTrailEventSummary& e = m.Summary();
      return Example{e.event_id, e.event_time, e.event_name, e.event_source, e.actor};
    };
    Tally& t = by_rule[it->second];
    ++t.matches;
    if (static_cast<int>(t.examples.size()) < max_examples) t.examples.push_back(example());
    for (uint32_t row : m.rows) {
      if (row >= by_row[it->second].size()) continue;
      Tally& rt = by_row[it->second][row];
      ++rt.matches;
      if (static_cast<int>(rt.examples.size()) < max_examples) rt.examples.push_back(example());
    }
  });
  size_t problems = 0;
  auto problem = [&](const std::string& m) {
    if (++problems <= 10) std::cerr << "warden: " << m << "\n";
  };
  sc.set_on_problem(problem);
  CloudTrailReader reader(
      [&](const SplitRecord& r, const RecordOrigin& o) { sc.ProcessRecord(r, o); }, problem);
  // An input that cannot be read is reported once; the others still count.
  bool input_error = false;
  for (const std::string& in : events) {
    Status rs = reader.ReadPath(in);
    if (!rs.ok()) {
      std::cerr << "warden: " << rs.message() << "\n";
      input_error = true;
    }
  }
  const uint64_t total = sc.stats().events;

  if (format == "json") {
    auto examples = [](const std::vector<Example>& ex) {
      Json a = Json::array();
      for (const Example& e : ex)
        a.push_back({{"event_id", e.event_id},
                     {"event_time", e.event_time},
                     {"event_name", e.event_name},
                     {"event_source", e.event_source},
                     {"actor", e.actor}});
      return a;
    };
    Json out = {{"events", total},
                {"bad_records", reader.stats().bad_records + sc.stats().bad_records}};
    Json list = Json::array();
    for (size_t i = 0; i < rules.size(); ++i) {
      Json r = {{"id", rules[i].id},
                {"enabled", rules[i].enabled},
                {"matches", by_rule[i].matches},
                {"examples", examples(by_rule[i].examples)}};
      if (rules[i].has_patterns) {
        Json rows = Json::array();
        for (size_t k = 0; k < rules[i].patterns.size(); ++k) {
          const PatternRow& p = rules[i].patterns[k];
          auto col = [](const std::optional<std::string>& v) {
            return v ? Json(*v) : Json(nullptr);
          };
          rows.push_back({{"row", k},
                          {"eventName", col(p.event_name)},
                          {"eventSource", col(p.event_source)},
                          {"userIdentityType", col(p.user_identity_type)},
                          {"matches", by_row[i][k].matches},
                          {"examples", examples(by_row[i][k].examples)}});
        }
        r["rows"] = std::move(rows);
      }
      if (rules[i].threshold)
        r["note"] = "threshold ignored in a dry run: matches are single events";
      list.push_back(std::move(r));
    }
    out["rules"] = std::move(list);
    std::cout << out.dump(2) << "\n";
  } else {
    StdoutLineFit fit;  // on a terminal, example lines are cut to its width
    auto print_examples = [](const std::vector<Example>& ex, const char* indent) {
      for (const Example& e : ex)
        std::cout << indent << "e.g. " << e.event_time << "  " << e.event_name << "  "
                  << e.event_source << "  by " << e.actor << "  (" << e.event_id << ")\n";
    };
    std::cout << "Dry run over " << total << " events (disabled rules included):\n";
    for (size_t i = 0; i < rules.size(); ++i) {
      const Rule& r = rules[i];
      std::cout << "\n"
                << r.id << (r.enabled ? "" : " (disabled)") << ": " << by_rule[i].matches << " of "
                << total << " events" << (r.has_patterns ? " (one finding per event)" : "") << "\n";
      if (r.threshold)
        std::cout << "  note: threshold ignored in a dry run; counts are single events\n";
      if (!r.has_patterns) {
        print_examples(by_rule[i].examples, "  ");
        continue;
      }
      for (size_t k = 0; k < r.patterns.size(); ++k) {
        // The count first: on a narrow terminal the row text is what gets cut.
        std::cout << "  row " << k << ": " << by_row[i][k].matches << " events";
        if (total > 0 && by_row[i][k].matches * 2 > total)
          std::cout << " (more than half of all events)";
        std::cout << "  " << RowText(r.patterns[k]) << "\n";
        print_examples(by_row[i][k].examples, "      ");
      }
    }
  }
  for (const RegexLimitReport& r : sc.RegexLimitReports())
    std::cerr << "warden: rule " << r.rule_id << ": regex '" << r.pattern
              << "' hit its backtracking limit on " << r.count << " events (treated as no match)\n";
  if (problems > 10) std::cerr << "warden: ... and " << problems - 10 << " more problems\n";
  return input_error ? 2 : 0;
}

// Host event fields for the linter: whole dotted paths of the catalog.
const FieldVocabulary& HostEventFields() {
  static const FieldVocabulary fields = [] {
    FieldVocabulary v;
    v.name = "host event";
    v.has = [](std::string_view path) { return FindHostEventField(path) != nullptr; };
    for (const HostEventField& f : HostEventFieldCatalog()) v.names.emplace_back(f.path);
    return v;
  }();
  return fields;
}

// The field vocabularies of --source: auto (each rule against the source
// that knows most of its fields), cloudtrail or host.
Result<std::vector<const FieldVocabulary*>> LintSources(const std::string& source) {
  if (source == "auto") return std::vector{&CloudTrailFields(), &HostEventFields()};
  if (source == "cloudtrail") return std::vector{&CloudTrailFields()};
  if (source == "host") return std::vector{&HostEventFields()};
  return InvalidArgument("--source: '" + source +
                         "' is not a source (use auto, cloudtrail or host)");
}

int RunRulesLint(const std::vector<std::string>& paths, const std::string& format_name, bool strict,
                 const std::string& source) {
  auto sources = LintSources(source);
  if (!sources.ok()) return ReportError(sources.status());
  std::string format =
      format_name.empty() ? (isatty(STDOUT_FILENO) ? "table" : "json") : format_name;
  if (format != "table" && format != "json")
    return ReportError(InvalidArgument("--format: use table or json"));
  for (const std::string& p : paths)
    if (access(p.c_str(), F_OK) != 0)
      return ReportError(NotFound(p + ": no such file or directory"));
  LintReport all;
  for (const std::string& p : paths) {
    LintReport r = LintRulePath(p, *sources);
    all.files += r.files;
    all.rules += r.rules;
    for (auto& d : r.diagnostics) all.diagnostics.push_back(std::move(d));
  }
  if (format == "json") {
    Json list = Json::array();
    for (const RuleDiagnostic& d : all.diagnostics)
      list.push_back(
          {{"severity", d.severity == RuleDiagnostic::Severity::kError ? "error" : "warning"},
           {"file", d.location.file},
           {"line", d.location.line},
           {"column", d.location.column},
           {"rule_id", d.rule_id.empty() ? Json(nullptr) : Json(d.rule_id)},
           {"message", d.message}});
    std::cout << Json({{"files", all.files},
                       {"rules", all.rules},
                       {"errors", all.errors()},
                       {"warnings", all.warnings()},
                       {"diagnostics", list}})
                     .dump(2)
              << "\n";
  } else {
    for (const RuleDiagnostic& d : all.diagnostics) std::cout << d.ToString() << "\n";
    std::cout << all.files << " files, " << all.rules << " rules: " << all.errors() << " errors, "
              << all.warnings() << " warnings\n";
  }
  if (all.errors() > 0 || (strict && all.warnings() > 0)) return 1;
  return 0;
}

// What a rule needs before it can fire, in words ("" when nothing).
std::string RuleNeeds(const RuleConfigurationState& state) {
  std::string text;
  for (const std::string& n : state.needs) text += (text.empty() ? "" : "; ") + n;
  return text;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string text;
  for (const std::string& t : tags) text += (text.empty() ? "" : ",") + t;
  return text;
}

// `rules list`: the rules of `paths`, or with none (or --builtin) the
// built-in catalogs of the chosen source.
int RunRulesList(const std::vector<std::string>& paths, bool builtin, const std::string& source,
                 const std::string& format_name, const std::string& profile_path,
                 const std::string& account) {
  if (source != "all" && source != "cloudtrail" && source != "oci" && source != "host")
    return ReportError(InvalidArgument("--source: '" + source +
                                       "' is not a source (use all, cloudtrail, oci or host)"));
  std::optional<TrailProfile> profile;
  if (!profile_path.empty()) {
    auto p = TrailProfile::Load(profile_path);
    if (!p.ok()) return ReportError(p.status());
    profile = std::move(*p);
  }
  const std::string name = format_name.empty() ? DefaultFormat() : format_name;
  auto format = ParseOutputFormat(name);
  if (!format)
    return ReportError(
        InvalidArgument("--format: unknown format '" + name + "' (use table, json, jsonl or csv)"));
  struct Listed {
    std::string source;
    const Rule* rule;
  };
  std::vector<Rule> cloud_catalog, host_catalog;
  std::vector<RuleLoadResult> files;
  std::vector<Listed> listed;
  if (paths.empty() || builtin) {
    if (source != "host") {
      auto catalog = LoadBuiltinCatalog();
      if (!catalog.ok()) return ReportError(catalog.status());
      // As a scan would run it: after the profile's settings.
      cloud_catalog = profile ? profile->Resolve(*catalog, account) : std::move(catalog).value();
      for (const Rule& r : cloud_catalog) {
        const char* rule_source = r.provider == EventProvider::kOci ? "oci" : "cloudtrail";
        if (source == "all" || source == rule_source) listed.push_back({rule_source, &r});
      }
    }
    if (source == "all" || source == "host") {
      RuleLoadResult loaded = LoadRulesFromText(kDefaultHostRulesYaml, "built-in host rules");
      host_catalog = std::move(loaded.rules);
      for (const Rule& r : host_catalog) listed.push_back({"host", &r});
    }
  }
  files.reserve(paths.size());
  for (const std::string& p : paths) {
    if (access(p.c_str(), F_OK) != 0)
      return ReportError(NotFound(p + ": no such file or directory"));
    files.push_back(LoadRulesFromPath(p));
    for (const RuleDiagnostic& d : files.back().diagnostics)
      if (d.severity == RuleDiagnostic::Severity::kError)
        return ReportError(InvalidArgument(d.ToString() + " (see `warden rules lint`)"));
    // A file's rules too are shown as a scan with the profile would run them.
    if (profile) files.back().rules = profile->Resolve(files.back().rules, account);
    const FieldVocabulary* sources[] = {&CloudTrailFields(), &HostEventFields()};
    for (const Rule& r : files.back().rules) {
      // A file's rules belong to their provider, else the source whose
      // fields they read.
      const std::string rule_source = r.provider == EventProvider::kOci ? "oci"
                                      : &SourceOfRule(r, sources) == &HostEventFields()
                                          ? "host"
                                          : "cloudtrail";
      if (source == "all" || source == rule_source) listed.push_back({rule_source, &r});
    }
  }
  auto printer = MakeRowPrinter(*format, std::cout,
                                StdoutTableFit({{"id", 5},
                                                {"risk_level", 4},
                                                {"enabled", 3},
                                                {"title", 2, 24},
                                                {"needs", 1, 14},
                                                {"source", 0},
                                                {"tags", -1}}));
  printer->Begin({"source", "id", "risk_level", "enabled", "title", "needs", "tags"});
  std::vector<RuleConfigurationState> states;
  for (const Listed& l : listed) {
    // Host rules need nothing a profile gives; every other rule is
    // described as a scan would resolve it.
    RuleConfigurationState state = DescribeRuleConfiguration({*l.rule}, nullptr, "").front();
    printer->Row({l.source, l.rule->id, std::string(RiskLevelName(l.rule->risk_level)),
                  std::string(l.rule->enabled ? "yes" : "no"), l.rule->title, RuleNeeds(state),
                  JoinTags(l.rule->tags)});
    states.push_back(std::move(state));
  }
  printer->End();
  // The count goes to stderr, so csv and json output stay data only.
  std::cerr << "warden: " << ConfigurationSummary(states) << "\n";
  return std::cout.good() ? 0 : 2;
}

}  // namespace

void AddRulesCommand(CLI::App& app, CommandAction* action) {
  CLI::App* rules =
      app.add_subcommand("rules", "Test and lint detection rules (Warden YAML and Sigma)")
          ->require_subcommand(1)
          ->footer(
              "Examples:\n"
              "  warden rules lint rules/\n"
              "  warden rules test rtm.yaml --events AWSLogs/");
  {
    struct Opts {
      std::string rule_file, profile, format;
      std::vector<std::string> events;
      int examples = 3;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        rules
            ->add_subcommand("test",
                             "Dry-run rules over events: matches per rule and per pattern row")
            ->footer(
                "Examples:\n"
                "  warden rules test rtm.yaml --events AWSLogs/123456789012/CloudTrail/\n"
                "  warden rules test rtm.yaml --events today.json.gz --examples 5 -f json");
    cmd->add_option("rule_file", o->rule_file, "Rule file or directory")->required();
    cmd->add_option("-e,--events", o->events, "CloudTrail files, directories or - (stdin)")
        ->required();
    cmd->add_option("-p,--profile", o->profile, "Apply this profile's settings first");
    cmd->add_option("--examples", o->examples, "Example events per rule and row (default 3)")
        ->check(CLI::NonNegativeNumber);
    AddFormatOption(*cmd, &o->format, "table|json");
    cmd->callback([o, action]() {
      *action = [o]() {
        return RunRulesTest(o->rule_file, o->events, o->profile, o->format, o->examples);
      };
    });
  }
  {
    struct Opts {
      std::vector<std::string> paths;
      std::string format, source = "auto";
      bool strict = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        rules
            ->add_subcommand("lint",
                             "Check rule files: schema, regexes (with line:column), pitfalls")
            ->footer(
                "Examples:\n"
                "  warden rules lint rtm.yaml\n"
                "  warden rules lint --strict -f json rules/");
    cmd->add_option("paths", o->paths, "Rule files or directories")->required();
    cmd->add_flag("--strict", o->strict, "Exit 1 on warnings too");
    cmd->add_option("--source", o->source,
                    "Fields to check rules against: auto (each rule against CloudTrail or host "
                    "events, whichever knows its fields), cloudtrail or host (default auto)");
    AddFormatOption(*cmd, &o->format, "table|json");
    cmd->callback([o, action]() {
      *action = [o]() { return RunRulesLint(o->paths, o->format, o->strict, o->source); };
    });
  }
  {
    struct Opts {
      std::vector<std::string> paths;
      std::string format, source = "all", profile, account;
      bool builtin = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        rules
            ->add_subcommand("list",
                             "List rules: the built-in catalogs, or the rules of files, with "
                             "risk, state and what they need to fire")
            ->footer(
                "Examples:\n"
                "  warden rules list                       # both built-in catalogs\n"
                "  warden rules list --source cloudtrail -f csv\n"
                "  warden rules list --profile acme.yaml   # what still needs configuration\n"
                "  warden rules list rules/ --builtin      # your files and the catalogs");
    cmd->add_option("paths", o->paths,
                    "Rule files or directories (default: the built-in catalogs)");
    cmd->add_flag("--builtin", o->builtin, "Also list the built-in catalogs when files are given");
    cmd->add_option("--source", o->source, "all, cloudtrail, oci or host (default all)");
    cmd->add_option("-p,--profile", o->profile,
                    "Show the rules after this profile's settings (what still needs "
                    "configuration)");
    cmd->add_option("--account", o->account,
                    "With --profile: resolve for this account or tenancy too");
    AddFormatOption(*cmd, &o->format);
    cmd->callback([o, action]() {
      *action = [o]() {
        return RunRulesList(o->paths, o->builtin, o->source, o->format, o->profile, o->account);
      };
    });
  }
}

}  // namespace warden

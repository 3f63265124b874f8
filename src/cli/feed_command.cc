// `warden feed import [--db PATH] FILE|DIR...` and `warden feed status`:
// vendor vulnerability feeds, imported offline into the local feed database
// (src/vuln/feed_importer.h). An import is one transaction: a bad file fails
// the whole import and leaves the database as it was. Progress is drawn on
// stderr only when stderr is a terminal.
#include <unistd.h>

#include <iostream>

#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/time_format.h"
#include "vuln/feed_database.h"
#include "vuln/feed_importer.h"

namespace warden {
namespace {

std::string HumanAge(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 2 * 86400) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

int RunImport(const std::string& db, const std::vector<std::string>& paths) {
  FeedImportOptions options;
  const bool tty = isatty(STDERR_FILENO);
  int64_t last_draw = 0;
  if (tty) {
    options.progress = [&](const FeedImportProgress& p) {
      int64_t now = NowEpochMillis();
      if (now - last_draw < 100 && p.bytes_done != p.bytes_total) return;
      last_draw = now;
      int percent = p.bytes_total ? static_cast<int>(100 * p.bytes_done / p.bytes_total) : 100;
      std::cerr << "\r\033[Kimporting " << p.file << ": " << percent << "% (" << p.records
                << " records)" << std::flush;
    };
  }
  const int64_t started = NowEpochMillis();
  auto summary = ImportFeeds(db, paths, options);
  if (tty) std::cerr << "\r\033[K" << std::flush;
  if (!summary.ok()) return ReportError(summary.status());
  const double seconds = static_cast<double>(NowEpochMillis() - started) / 1000.0;
  for (const auto& in : summary->inputs)
    std::cerr << "  " << in.path << ": " << FeedFormatName(in.format) << ", " << in.records
              << " records\n";
  for (const auto& s : summary->skipped) std::cerr << "  " << s << ": skipped (not a feed file)\n";
  std::cerr << "imported " << summary->records << " records from " << summary->inputs.size()
            << " file(s) into " << db << " in " << seconds << " s\n";
  return 0;
}

int RunStatus(const std::string& db_path, const std::string& format_name) {
  auto format = ParseOutputFormat(format_name);
  if (!format)
    return ReportError(InvalidArgument("--format: unknown format '" + format_name +
                                       "' (use table, json, jsonl or csv)"));
  auto db = FeedDatabase::OpenReadOnly(db_path);
  if (!db.ok()) return ReportError(db.status());
  auto sources = (*db)->Sources();
  if (!sources.ok()) return ReportError(sources.status());
  const int64_t now = NowEpochSeconds();
  auto printer = MakeRowPrinter(*format, std::cout,
                                StdoutTableFit({{"source", 3},
                                                {"age", 2},
                                                {"records", 1},
                                                {"feed_time", -1},
                                                {"imported_at", -2},
                                                {"age_seconds", -3},
                                                {"origin", -3}}));
  printer->Begin({"source", "format", "records", "vulnerabilities", "feed_time", "age",
                  "age_seconds", "imported_at", "origin"});
  for (const FeedSourceStatus& s : *sources) {
    const int64_t data_time = s.feed_time > 0 ? s.feed_time : s.imported_at;
    printer->Row({Value(s.name), Value(s.format), Value(s.records), Value(s.vulnerabilities),
                  s.feed_time > 0 ? Value(FormatRfc3339(s.feed_time)) : Value(),
                  Value(HumanAge(now - data_time)), Value(now - data_time),
                  Value(FormatRfc3339(s.imported_at)), Value(s.origin)});
  }
  printer->End();
  if (sources->empty())
    std::cerr << "warden: " << db_path << " holds no feeds yet (warden feed import)\n";
  return 0;
}

}  // namespace

void AddFeedCommand(CLI::App& app, CommandAction* action) {
  struct Opts {
    std::string db;
    std::vector<std::string> paths;
    std::string format;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* feed =
      app.add_subcommand("feed",
                         "Import vendor vulnerability feeds (offline) and show their status")
          ->require_subcommand(1);
  CLI::App* import =
      feed->add_subcommand("import", "Import feed files or directories into the feed database")
          ->footer(
              "Formats are detected from content: Debian Security Tracker JSON, OSV records\n"
              "(one .json, a directory of them, or an ecosystem all.zip), Oracle ELSA OVAL\n"
              "(.xml or .xml.bz2). One transaction: a bad file leaves the database unchanged.\n"
              "Examples:\n"
              "  warden feed import debian-tracker.json\n"
              "  warden feed import --db /tmp/feeds.db com.oracle.elsa-ol8.xml.bz2 "
              "osv/Debian/all.zip\n"
              "  warden feed import ./osv-records/");
  import->add_option("--db", opts->db,
                     "Feed database (default: " + DefaultFeedDatabasePath() + ")");
  import->add_option("paths", opts->paths, "Feed files or directories")->required();
  import->callback([opts, action]() {
    *action = [opts]() {
      return RunImport(opts->db.empty() ? DefaultFeedDatabasePath() : opts->db, opts->paths);
};
}  // namespace warden
);
CLI::App* status =
    feed->add_subcommand("status", "Show imported feed sources, record counts and age")
        ->footer(
            "Examples:\n"
            "  warden feed status\n"
            "  warden feed status --db /tmp/feeds.db --format json");
status->add_option("--db", opts->db, "Feed database (default: " + DefaultFeedDatabasePath() + ")");
AddFormatOption(*status, &opts->format);
status->callback([opts, action]() {
  *action = [opts]() {
    return RunStatus(opts->db.empty() ? DefaultFeedDatabasePath() : opts->db,
                     opts->format.empty() ? DefaultFormat() : opts->format);
  };
});
}

}  // namespace warden
